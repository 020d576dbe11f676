package us.kbase.ee2proxy.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * What the proxy wrote to its {@code audit} logger during one test (register it as a
 * {@code @RegisterExtension} field): the operators' and scientists' actions, one line each.
 */
public final class AuditLog implements BeforeEachCallback, AfterEachCallback {
    private ListAppender<ILoggingEvent> lines = new ListAppender<>();

    @Override
    public void beforeEach(ExtensionContext context) {
        lines = new ListAppender<>();
        lines.start();
        Logger logger = (Logger) LoggerFactory.getLogger("audit");
        logger.setLevel(Level.INFO);
        logger.addAppender(lines);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        ((Logger) LoggerFactory.getLogger("audit")).detachAppender(lines);
        lines.stop();
    }

    /** The audit lines written so far in this test, each ending with a newline. */
    public String text() {
        StringBuilder out = new StringBuilder();
        lines.list.forEach(e -> out.append(e.getFormattedMessage()).append('\n'));
        return out.toString();
    }
}
