package dev.starling.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AppsTest {

    @Test
    void findsAppsByName() {
        Apps apps = Apps.of(new LocalRunnerTest.SquaresApp());

        assertThat(apps.names()).containsExactly("squares");
        assertThat(apps.find("squares")).isPresent();
        assertThat(apps.find("cubes")).isEmpty();
        assertThatThrownBy(() -> apps.names().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void refusesTwoAppsWithOneName() {
        assertThatThrownBy(() -> Apps.of(new LocalRunnerTest.SquaresApp(), new LocalRunnerTest.SquaresApp()))
                .hasMessage("two apps are named squares");
    }

    @Test
    void theSdkItselfHoldsNoApps() {
        assertThat(Apps.load().names()).isEmpty();
    }
}
