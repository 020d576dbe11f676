package us.kbase.ee2proxy.redis;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real redis-server per test class:
 * {@code @RegisterExtension static final RedisServerExtension REDIS = new RedisServerExtension();}
 * then {@code REDIS.server()} in {@code @BeforeAll} or tests. Stopped and deleted after the class.
 */
public final class RedisServerExtension implements BeforeAllCallback, AfterAllCallback {
    private RedisServerProcess server;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServerProcess.start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (server != null) {
            server.close();
            server = null;
        }
    }

    public RedisServerProcess server() {
        if (server == null) {
            throw new IllegalStateException("register with @RegisterExtension on a static field");
        }
        return server;
    }
}
