package org.clusterd.config;

import java.nio.file.Path;

/**
 * A configuration file that cannot be used. The message has the form {@code FILE:LINE: key: reason}
 * so that an operator (and an editor) can jump straight to the fault.
 */
public final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    private final Path file;
    private final int line;
    private final String key;
    private final String reason;

    public ConfigException(Path file, int line, String key, String reason) {
        super(file + ":" + line + ": " + key + ": " + reason);
        this.file = file;
        this.line = line;
        this.key = key;
        this.reason = reason;
    }

    public Path file() { return file; }

    public int line() { return line; }

    public String key() { return key; }

    public String reason() { return reason; }
}
