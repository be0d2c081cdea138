package org.clusterd.resource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * The shared shape of the agents that are three commands (start, stop, status):
 * <ul>
 *   <li>start: check status first (unless {@link #checkStatusBeforeStart()} says the start command is
 *       idempotent by itself); RUNNING means already started, nothing is run. Otherwise run the
 *       start command; exit 0 is success.</li>
 *   <li>stop: always run the stop command (it cleans up half-started state too); exit 0 is success.
 *       Otherwise (non-zero exit or timeout) check status: if it is one of {@link #stoppedStates()}
 *       the resource is not running and the stop counts as done.</li>
 * </ul>
 */
abstract class ScriptedAgent implements ResourceAgent {
    private static final Logger log = LoggerFactory.getLogger(ScriptedAgent.class);

    private final String name;
    private final Map<String, String> env;
    private final Duration timeout;
    private final CommandRunner runner;

    ScriptedAgent(String name, Map<String, String> env, long timeoutMs, CommandRunner runner) {
        this.name = name;
        this.env = Map.copyOf(env);
        this.timeout = Duration.ofMillis(timeoutMs);
        this.runner = runner;
    }

    abstract String startCommand();

    abstract String stopCommand();

    abstract String statusCommand();

    /** Maps a finished (not timed out) status command to a status. */
    abstract Status statusOf(CommandResult result);

    /** Whether start first asks status and skips the start command when RUNNING (default yes). */
    boolean checkStatusBeforeStart() {
        return true;
    }

    /** Statuses after a failed stop command that still mean "not running here". */
    Set<Status> stoppedStates() {
        return Set.of(Status.STOPPED);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public Outcome start() {
        if (checkStatusBeforeStart() && status() == Status.RUNNING) {
            return Outcome.ok("already running");
        }
        CommandResult r = run(startCommand());
        return r.succeeded() ? Outcome.ok("started (" + r.summary() + ")")
                : Outcome.failed("start failed: " + r.summary());
    }

    @Override
    public Outcome stop() {
        CommandResult r = run(stopCommand());
        if (r.succeeded()) {
            return Outcome.ok("stopped (" + r.summary() + ")");
        }
        Status after = status();
        if (stoppedStates().contains(after)) {
            return Outcome.ok("stop command failed but status is " + after + " (" + r.summary() + ")");
        }
        return Outcome.failed("stop failed, status " + after + ": " + r.summary());
    }

    @Override
    public Status status() {
        CommandResult r = run(statusCommand());
        if (r.timedOut() || r.exitCode() == CommandResult.NO_EXIT) {
            log.warn("resource {}: status check gave no answer: {}", name, r.summary());
            return Status.UNKNOWN;
        }
        Status s = statusOf(r);
        if (s == Status.UNKNOWN) {
            log.warn("resource {}: status unknown: {}", name, r.summary());
        }
        return s;
    }

    final CommandResult run(String command) {
        return runner.run(command, env, timeout);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + name + "]";
    }
}
