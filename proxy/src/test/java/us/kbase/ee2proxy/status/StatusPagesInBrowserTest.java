package us.kbase.ee2proxy.status;

import static org.assertj.core.api.Assertions.assertThat;
import static us.kbase.ee2proxy.testing.Await.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;
import us.kbase.ee2proxy.testing.ProxyExtension;
import us.kbase.ee2proxy.testing.RawHttp;

/**
 * The scientist's page and the operator's console in a real browser: headless Chromium (Debian's
 * {@code chromium} and {@code chromium-driver}, which .ci/run installs) through WebDriver, while a
 * workload waits at the proxy. Skipped, saying so, where Chromium is not installed. Screenshots go
 * to {@code target/status-page.png} and {@code target/console.png}.
 */
class StatusPagesInBrowserTest {
    static final Path CHROMIUM = Path.of(System.getProperty("ee2proxy.chromium", "/usr/bin/chromium"));
    static final Path CHROMEDRIVER = Path.of(System.getProperty("ee2proxy.chromedriver", "/usr/bin/chromedriver"));
    static final Duration PATIENCE = Duration.ofSeconds(60);

    @RegisterExtension
    static final ProxyExtension proxy = ProxyExtension.withSimulator(sim -> sim.defaultSeconds(3600)
                    .token("tok-hana", "hana").token("tok-ina", "ina"))
            .admission(OperatorPagesTest.POLICY)
            .build();

    private static WebDriver browser;
    private final List<RawHttp> waiting = new ArrayList<>();

    @BeforeAll
    static void openBrowser() {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
        // On a developer's machine a missing browser skips the test; in CI (.ci/run installs it) it fails.
        if (!installed && System.getenv("CI") != null) {
            throw new IllegalStateException("CI is set but headless Chromium is not installed: "
                    + "apt-get install chromium chromium-driver (.ci/run does it)");
        }
        Assumptions.assumeTrue(installed,
                "headless Chromium is not installed (apt-get install chromium chromium-driver; .ci/run does it)");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000");
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        browser = new ChromeDriver(service, options);
    }

    @AfterAll
    static void closeBrowser() {
        if (browser != null) {
            browser.quit();
        }
    }

    @AfterEach
    void leave() throws Exception {
        for (RawHttp call : waiting) {
            call.close();
        }
    }

    private RawHttp submit(String app, Map<String, Object> extra) throws Exception {
        RawHttp call = StatusCalls.start(proxy.url(), "tok-hana", StatusCalls.runJob(app, extra));
        waiting.add(call);
        return call;
    }

    private static int waitingNow() {
        JsonNode me = StatusCalls.json(StatusCalls.get(proxy.url().resolve("/status.json"), "Authorization", "tok-hana").body());
        return me.path("waiting").size();
    }

    private static WebElement until(String what, java.util.function.Function<WebDriver, WebElement> found) {
        // The console redraws at every poll: an element found just before may be gone; look again.
        return new WebDriverWait(browser, PATIENCE).withMessage(what).ignoring(StaleElementReferenceException.class)
                .until(found);
    }

    private static List<String> texts(String what, java.util.function.Function<WebDriver, List<String>> read) {
        return new WebDriverWait(browser, PATIENCE).withMessage(what).ignoring(StaleElementReferenceException.class)
                .until(read);
    }

    private static String cellText(WebElement row, String cellClass) {
        return row.findElement(By.className(cellClass)).getText();
    }

    private static void screenshot(String name) throws Exception {
        File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
        Files.createDirectories(Path.of("target"));
        Files.copy(shot.toPath(), Path.of("target", name), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void theScientistsPageAndTheConsoleShowTheWaitingWorkAndAReleaseTakesEffect() throws Exception {
        // A parallel app runs, two of its children run (A(u) reaches the children's limit, 3), a third waits,
        // and a second parallel app waits for the first.
        RawHttp.Response first = StatusCalls.run(proxy.url(), "tok-hana", StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of()));
        String parent = StatusCalls.json(first).path("result").path(0).asText();
        for (int i = 0; i < 2; i++) {
            RawHttp.Response child = StatusCalls.run(proxy.url(), "tok-hana",
                    StatusCalls.runJob(StatusCalls.CHILD_APP, Map.of("parent_job_id", parent)));
            assertThat(child.header("X-Ee2-Proxy-Decision")).isEqualTo("admitted; class=child");
        }
        submit(StatusCalls.CHILD_APP, Map.of("parent_job_id", parent));
        await("the third child waits", () -> waitingNow() == 1);
        RawHttp secondApp = submit(StatusCalls.PARALLEL_APP, Map.of());
        await("the second parallel app waits", () -> waitingNow() == 2);

        // The scientist's page, signed in by the narrative's cookie.
        browser.get(proxy.url().resolve("/status.json").toString());
        browser.manage().addCookie(new Cookie("kbase_session", "tok-hana"));
        browser.get(proxy.url().resolve("/status").toString());
        // Each redraw replaces the rows: read what is asserted in one go, again if a redraw came between.
        List<String> rows = texts("the waiting calls are listed", d -> {
            List<WebElement> r = d.findElements(By.cssSelector("#waiting tr.waiting-call"));
            return r.size() != 2 ? null : List.of(cellText(r.get(0), "position"), cellText(r.get(0), "kind"),
                    cellText(r.get(0), "parent"), cellText(r.get(1), "position"), cellText(r.get(1), "kind"));
        });
        // HoldOrder: the running app's child goes before a new top-level parallel app.
        assertThat(rows).containsExactly("1 of 2", "child job", parent, "2 of 2", "parallel app");
        List<String> counts = texts("the parent's children", d -> {
            WebElement app = d.findElement(By.cssSelector("#apps tr.app[data-job='" + parent + "']"));
            return List.of(cellText(app, "children-waiting"), Integer.toString(
                    Integer.parseInt(cellText(app, "children-queued")) + Integer.parseInt(cellText(app, "children-running"))));
        });
        assertThat(counts).as("waiting at the proxy; queued or running at EE2").containsExactly("1", "2");

        // It updates by itself: another child waits, and the page shows it without a reload.
        submit(StatusCalls.CHILD_APP, Map.of("parent_job_id", parent));
        until("the page shows the new waiting child", d -> d.findElements(By.cssSelector("#waiting tr.waiting-call")).size() == 3
                ? d.findElement(By.id("waiting")) : null);
        until("the parent counts two waiting children", d -> "2".equals(d.findElement(By.cssSelector(
                "#apps tr.app[data-job='" + parent + "'] .children-waiting")).getText()) ? d.findElement(By.id("apps")) : null);
        screenshot("status-page.png");

        // The console: hana at her cap, her waiting calls; release the waiting parallel app.
        browser.get(proxy.adminUrl("/console").toString());
        String id = until("the console lists hana's waiting parallel app", d -> d.findElements(By.cssSelector(
                "section.user[data-user='hana'] tr.waiting-call")).stream()
                .filter(r -> r.getText().contains("parallel app")).findFirst().orElse(null)).getAttribute("data-id");
        assertThat(texts("users at a cap", d -> List.of(d.findElement(By.id("at-cap")).getText()))).anySatisfy(
                t -> assertThat(t).contains("hana"));
        screenshot("console.png");
        until("Release of the waiting parallel app is clicked", d -> {
            WebElement release = d.findElement(By.cssSelector("tr.waiting-call[data-id='" + id + "'] .release"));
            release.click();
            return release;
        });
        browser.switchTo().alert().sendKeys("browser test");
        browser.switchTo().alert().accept();

        RawHttp.Response released = secondApp.read();
        assertThat(released.status()).as(released.bodyText()).isEqualTo(200);
        assertThat(released.header("X-Ee2-Proxy-Decision")).startsWith("admitted after waiting");
        until("the console no longer lists the released call", d -> d.findElements(By.cssSelector(
                "tr.waiting-call[data-id='" + id + "']")).isEmpty() ? d.findElement(By.id("users")) : null);
        until("hana now has two parallel apps", d -> d.findElements(By.cssSelector(
                "section.user[data-user='hana'] tr.app")).size() == 2 ? d.findElement(By.id("users")) : null);
    }

    @Test
    void theConsolesOverrideButtonRaisesAUsersCapAndLetsHerWaitingAppIn() throws Exception {
        RawHttp.Response first = StatusCalls.run(proxy.url(), "tok-ina", StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of()));
        assertThat(first.status()).as(first.bodyText()).isEqualTo(200);
        RawHttp second = StatusCalls.start(proxy.url(), "tok-ina", StatusCalls.runJob(StatusCalls.PARALLEL_APP, Map.of()));
        waiting.add(second);

        browser.get(proxy.adminUrl("/console").toString());
        until("the console lists ina's waiting parallel app, and its Override cap is clicked", d -> {
            WebElement ina = d.findElements(By.cssSelector("section.user[data-user='ina']")).stream()
                    .filter(s -> !s.findElements(By.cssSelector("tr.waiting-call")).isEmpty()).findFirst().orElse(null);
            if (ina != null) {
                ina.findElement(By.className("override")).click();
            }
            return ina;
        });
        for (String answer : List.of("2", "1h", "browser test")) {
            browser.switchTo().alert().sendKeys(answer);
            browser.switchTo().alert().accept();
        }

        RawHttp.Response admitted = second.read();
        assertThat(admitted.status()).as(admitted.bodyText()).isEqualTo(200);
        assertThat(admitted.header("X-Ee2-Proxy-Decision")).startsWith("admitted after waiting");
        until("the console shows ina's override and her cap of 2", d -> d.findElements(By.cssSelector(
                "section.user[data-user='ina'] p")).stream().filter(p -> p.getText().contains("limits: override until")
                        && p.getText().contains("by loopback operator: browser test") && p.getText().contains(" of 2;"))
                .findFirst().orElse(null));
        screenshot("console-override.png");

        until("the console offers to end it, and it is clicked", d -> {
            WebElement end = d.findElements(By.cssSelector("section.user[data-user='ina'] .end-override")).stream()
                    .findFirst().orElse(null);
            if (end != null) {
                end.click();
            }
            return end;
        });
        browser.switchTo().alert().sendKeys("browser test done");
        browser.switchTo().alert().accept();
        until("ina's limits are the file's again", d -> d.findElements(By.cssSelector(
                "section.user[data-user='ina'] p")).stream().filter(p -> p.getText().contains("limits: defaults"))
                .findFirst().orElse(null));
    }
}
