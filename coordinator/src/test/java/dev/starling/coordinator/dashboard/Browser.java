package dev.starling.coordinator.dashboard;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Headless Chromium driven through the system's chromedriver (Debian's {@code chromium} and {@code chromium-driver}
 * packages), for the dashboard's browser tests and its screenshots. Selenium Manager is never asked to download
 * anything: the binaries are found on the PATH or not at all. The profile lives under {@code target/}.
 */
public final class Browser implements AutoCloseable {
    private static final List<String> BROWSERS = List.of("chromium", "chromium-browser", "google-chrome");
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final WebDriver driver;
    private final String base;

    private Browser(WebDriver driver, String base) {
        this.driver = driver;
        this.base = base;
    }

    /** Why no browser can run here, or empty when one can. */
    public static Optional<String> unavailable() {
        if (find("chromedriver").isEmpty()) {
            return Optional.of("no chromedriver on the PATH (install Debian's chromium and chromium-driver; .ci/run does)");
        }
        if (BROWSERS.stream().map(Browser::find).allMatch(Optional::isEmpty)) {
            return Optional.of("no chromium on the PATH (install Debian's chromium and chromium-driver; .ci/run does)");
        }
        return Optional.empty();
    }

    /** A headless browser of {@code width} x {@code height} CSS pixels, its profile in {@code profile}. */
    public static Browser open(String base, Path profile, int width, int height) throws Exception {
        Files.createDirectories(profile);
        ChromeOptions options = new ChromeOptions();
        options.setBinary(BROWSERS.stream().map(Browser::find).flatMap(Optional::stream).findFirst().orElseThrow().toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--hide-scrollbars", "--force-device-scale-factor=1", "--window-size=" + width + "," + height,
                "--user-data-dir=" + profile.toAbsolutePath(), "--no-first-run", "--disable-extensions");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(find("chromedriver").orElseThrow().toFile())
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        // the window includes the browser's frame: grow it until the page itself has the size asked for
        Number inner = (Number) driver.executeScript("return window.innerHeight");
        if (inner.intValue() < height) {
            driver.manage().window().setSize(new Dimension(width, 2 * height - inner.intValue()));
        }
        return new Browser(driver, base);
    }

    private static Optional<Path> find(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator)).map(dir -> Path.of(dir, command))
                .filter(Files::isExecutable).findFirst();
    }

    public WebDriver driver() {
        return driver;
    }

    public void go(String path) {
        driver.get(base + path);
    }

    public WebElement find(By by) {
        return until(d -> d.findElement(by));
    }

    public String text(By by) {
        return until(d -> d.findElement(by).getText());
    }

    /** Clicks the element, finding it again if a live refresh swapped it out meanwhile. */
    public void click(By by) {
        until(d -> {
            d.findElement(by).click();
            return true;
        });
    }

    /** Waits until {@code condition} answers something other than null or false (stale elements are retried). */
    public <T> T until(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, WAIT).ignoring(StaleElementReferenceException.class)
                .ignoring(org.openqa.selenium.NoSuchElementException.class).until(condition::apply);
    }

    public Object script(String js, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(js, args);
    }

    /** What the pages logged as errors since the last call (script errors, refused requests, CSP violations). */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
    }

    /** The visible page as PNG bytes. */
    public byte[] screenshot() {
        return ((ChromeDriver) driver).getScreenshotAs(OutputType.BYTES);
    }

    @Override
    public void close() {
        driver.quit();
    }
}
