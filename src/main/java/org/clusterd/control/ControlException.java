package org.clusterd.control;

import java.io.IOException;

/** The control channel could not get an answer from the daemon; {@link #kind()} says why, for exit codes. */
public final class ControlException extends IOException {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** Nothing listens on the control port: the daemon is not running (LSB "not running"). */
        NOT_RUNNING,
        /** This user cannot read the token file: not root / not the daemon's user, or a wrong config. */
        ACCESS,
        /** The daemon did not answer in time, answered garbage, or answered with an error. */
        FAILED
    }

    private final Kind kind;

    public ControlException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public ControlException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
