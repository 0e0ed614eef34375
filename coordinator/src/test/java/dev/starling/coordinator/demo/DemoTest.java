package dev.starling.coordinator.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import picocli.CommandLine.ParameterException;

/** The demo's command line (the demo itself runs in the end-to-end tests and by hand). */
@ExtendWith(OutputCaptureExtension.class)
class DemoTest {

    @Test
    void optionsTakeTheirValueAfterAnEqualsSignOrAsTheNextArgument() {
        Demo.Options spaced = Demo.Options.parse("--workers", "2", "--data-dir", "here", "--server.port", "18080")
                .getCommand();
        Demo.Options joined = Demo.Options.parse("--workers=2", "--data-dir=here", "--server.port=18080").getCommand();
        for (Demo.Options o : new Demo.Options[] {spaced, joined}) {
            assertThat(o.workers).isEqualTo(2);
            assertThat(o.dataDir).isEqualTo(Path.of("here"));
            assertThat(o.httpPort).isEqualTo(18080);
        }
        Demo.Options defaults = Demo.Options.parse().getCommand();
        assertThat(defaults.workers).isEqualTo(3);
        assertThat(defaults.dataDir).isEqualTo(Path.of("starling-data", "demo"));
    }

    @Test
    void helpIsPrintedAndNothingStarts(CapturedOutput output) throws Exception {
        assertThat(Demo.run(new String[] {"--help"})).isZero();
        assertThat(Demo.run(new String[] {"-h"})).isZero();
        assertThat(output.getOut()).contains("Usage: starling demo").contains("--workers=N").contains("--exit-when-done");
        assertThat(output.getErr()).isEmpty();
    }

    @Test
    void aWrongCommandLineIsExitCodeTwoWithWhatIsWrong(CapturedOutput output) throws Exception {
        assertThat(Demo.run(new String[] {"--bogus"})).isEqualTo(2);
        assertThat(Demo.run(new String[] {"--workers", "1"})).isEqualTo(2);
        assertThat(Demo.run(new String[] {"--workers", "many"})).isEqualTo(2);
        assertThat(output.getErr()).contains("starling demo: Unknown option: '--bogus'")
                .contains("starling demo: --workers must be between 2 and 16")
                .contains("'many' is not an int");
        assertThatThrownBy(() -> Demo.Options.parse("--workers")).isInstanceOf(ParameterException.class);
    }
}
