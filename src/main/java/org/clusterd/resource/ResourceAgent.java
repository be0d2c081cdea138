package org.clusterd.resource;

/**
 * Starts, stops and checks one resource of a service group. All calls block (each is bounded by the
 * resource's timeout, plus at most a few internal steps) and never throw for a failing resource.
 *
 * <p>Contract every implementation keeps, because recovery depends on it:
 * <ul>
 *   <li>{@link #start()} of a running resource succeeds without restarting it.</li>
 *   <li>{@link #stop()} of a stopped resource succeeds. A failed stop means the resource may still
 *       be running here: the daemon treats it as grave (the node goes to standby).</li>
 *   <li>{@link #status()} does not change anything.</li>
 * </ul>
 * Calls for one resource are expected to come one at a time (the group runner serialises them).
 */
public interface ResourceAgent {
    /** The resource's name, unique in its group. */
    String name();

    Outcome start();

    Outcome stop();

    Status status();

    /** Whether a start or stop did what was asked, and a human-readable why (command output on failure). */
    record Outcome(boolean ok, String detail) {
        public static Outcome ok(String detail) {
            return new Outcome(true, detail);
        }

        public static Outcome failed(String detail) {
            return new Outcome(false, detail);
        }

        @Override
        public String toString() {
            return (ok ? "ok" : "FAILED") + ": " + detail;
        }
    }

    enum Status {
        /** Running (or coming up / reloading). */
        RUNNING,
        /** Cleanly not running. */
        STOPPED,
        /**
         * In an error state: not (fully) running. For LSB "dead but pid/lock file exists" and a systemd
         * unit in state "failed" the processes are gone; for a virtual IP it means half set up.
         */
        FAILED,
        /** Could not be determined: the check timed out, could not run, or answered something unknown. */
        UNKNOWN
    }
}
