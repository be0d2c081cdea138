package org.clusterd.resource;

/**
 * What one shell command did.
 *
 * @param exitCode  the command's exit status, or {@link #NO_EXIT} when it did not exit on its own
 *                  (timed out, could not be started, or the caller was interrupted)
 * @param timedOut  true when the command ran past its timeout and was killed with its descendants
 * @param output    the last bytes of its merged stdout and stderr (bounded, see {@link CommandRunner})
 * @param elapsedMs wall time from launch to exit (or to the kill)
 */
public record CommandResult(int exitCode, boolean timedOut, String output, long elapsedMs) {
    /** Exit code reported when the command did not exit by itself. */
    public static final int NO_EXIT = -1;

    /** True when the command exited by itself with status 0. */
    public boolean succeeded() {
        return !timedOut && exitCode == 0;
    }

    /** A one-line-ish description for logs and outcome details: "exit 1 after 12 ms: no such file". */
    public String summary() {
        String how = timedOut ? "timed out after " + elapsedMs + " ms"
                : exitCode == NO_EXIT ? "did not run (" + elapsedMs + " ms)"
                : "exit " + exitCode + " after " + elapsedMs + " ms";
        String out = output.strip();
        return out.isEmpty() ? how : how + ": " + out;
    }
}
