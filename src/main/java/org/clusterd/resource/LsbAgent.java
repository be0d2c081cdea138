package org.clusterd.resource;

import org.clusterd.config.ResourceConfig;

import java.util.Map;
import java.util.Set;

/**
 * An LSB init script: {@code SCRIPT start|stop|status}. Status exit codes (LSB 4.1 "status"):
 * 0 RUNNING; 1 (dead, pid file exists) and 2 (dead, lock file exists) FAILED; 3 STOPPED;
 * 4 and anything else UNKNOWN. LSB says stopping a stopped service exits 0; for scripts that do not,
 * a failed stop still counts as done when status then says 3, 1 or 2 (no process left running).
 */
public final class LsbAgent extends ScriptedAgent {
    private final String script;

    public LsbAgent(ResourceConfig.Lsb config, Map<String, String> env, CommandRunner runner) {
        super(config.name(), env, config.timeoutMs(), runner);
        this.script = Shell.quote(config.script().toString());
    }

    @Override
    String startCommand() {
        return script + " start";
    }

    @Override
    String stopCommand() {
        return script + " stop";
    }

    @Override
    String statusCommand() {
        return script + " status";
    }

    @Override
    Status statusOf(CommandResult r) {
        return switch (r.exitCode()) {
            case 0 -> Status.RUNNING;
            case 1, 2 -> Status.FAILED;
            case 3 -> Status.STOPPED;
            default -> Status.UNKNOWN;
        };
    }

    @Override
    Set<Status> stoppedStates() {
        return Set.of(Status.STOPPED, Status.FAILED);
    }
}
