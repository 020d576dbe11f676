package us.kbase.ee2proxy.stall;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import us.kbase.ee2proxy.sim.workload.WorkloadReport;
import us.kbase.ee2proxy.testing.Await;
import us.kbase.ee2proxy.testing.ProxyExtension;

/**
 * The console in headless Chromium while twelve-parallel-apps deadlocks alice's slots behind a
 * shadow-mode proxy whose parents.apps forgot kb_Bowtie2: the red banner names alice, the note
 * says to add kb_Bowtie2, and her apps show as not in parents.apps. Skipped where Chromium is not
 * installed; the screenshot goes to {@code target/console-stall.png}.
 */
class StallBannerInBrowserTest {
    static final Path CHROMIUM = Path.of(System.getProperty("ee2proxy.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("ee2proxy.chromedriver", "/usr/bin/chromedriver"));

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(sim -> sim)
            .admission("""
                    mode: shadow
                    parents:
                      apps: [kb_concoct]
                    """)
            .config(c -> c.withStall(Workloads.QUICK))
            .build();

    private static WebDriver browser;

    @BeforeAll
    static void openBrowser() {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "headless Chromium is not installed (apt-get install chromium chromium-driver; .ci/run does it)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build(), options);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    private static String text(String what, java.util.function.Function<WebDriver, String> read) {
        return new WebDriverWait(browser, Duration.ofSeconds(60)).withMessage(what)
                .ignoring(StaleElementReferenceException.class).until(read);
    }

    @Test
    void theConsoleShowsTheStallAndTheLineToAdd() throws Exception {
        browser.get(proxy.adminUrl("/console").toString());
        assertThat(browser.findElement(By.id("stalls")).isDisplayed()).as("no banner before the run").isFalse();

        WorkloadReport report = Workloads.run(proxy, "twelve-parallel-apps");
        assertThat(report.deadlocked()).as(report.toTable()).isTrue();
        Await.await("the detector reports alice", Duration.ofSeconds(30), () -> Workloads.episodes(proxy) == 1);

        // The page polls /state.json: the banner appears without a reload.
        // The console redraws at every poll: each text is read again if a redraw replaced its element.
        String banner = text("the stall banner", d -> d.findElements(By.cssSelector(
                "#stalls .stalled-user[data-user='alice']")).stream().filter(WebElement::isDisplayed)
                .findFirst().map(WebElement::getText).orElse(null));
        assertThat(banner).startsWith("STALLED alice").contains("Missing from parents.apps: kb_Bowtie2");
        assertThat(text("the fan-out hint", d -> d.findElement(By.cssSelector(
                "#fan-outs .fan-out[data-app='kb_Bowtie2']")).getText())).contains("add - kb_Bowtie2");
        assertThat(text("alice's apps", d -> d.findElement(By.cssSelector(
                "section.user[data-user='alice'] table.apps")).getText())).contains("kb_Bowtie2 (not in parents.apps)");
        assertThat(text("alice's next calls", d -> d.findElement(By.cssSelector(
                "section.user[data-user='alice'] details.next")).getText())).contains("the next call would be");

        File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
        Files.createDirectories(Path.of("target"));
        Files.copy(shot.toPath(), Path.of("target", "console-stall.png"), StandardCopyOption.REPLACE_EXISTING);
    }
}
