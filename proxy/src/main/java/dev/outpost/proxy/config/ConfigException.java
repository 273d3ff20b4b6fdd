package dev.outpost.proxy.config;

/** A configuration value Outpost cannot use; the message names file, key, value and what is expected. */
public class ConfigException extends Exception {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
