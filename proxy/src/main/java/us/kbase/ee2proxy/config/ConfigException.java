package us.kbase.ee2proxy.config;

/** A configuration the proxy cannot start with; the message names the key and how to fix it. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
