package org.clusterd.resource;

import org.clusterd.config.ResourceConfig;

import java.util.Map;

/**
 * A resource given as three shell commands. Status exit 0 is RUNNING; 126 and 127 (the shell could not
 * find or execute the status command: a broken check, not an answer) and no answer (timeout, cannot run)
 * are UNKNOWN; any other exit is STOPPED. Reading 127 as STOPPED would let a failed stop pass as done
 * while the service still runs. See {@link ScriptedAgent} for start/stop idempotence.
 */
public final class ExecAgent extends ScriptedAgent {
    private static final int SHELL_CANNOT_EXECUTE = 126;
    private static final int SHELL_NOT_FOUND = 127;

    private final ResourceConfig.Exec config;

    /** {@code env}: the variables for every command (the factory adds the resource's own environment). */
    public ExecAgent(ResourceConfig.Exec config, Map<String, String> env, CommandRunner runner) {
        super(config.name(), env, config.timeoutMs(), runner);
        this.config = config;
    }

    @Override
    String startCommand() {
        return config.start();
    }

    @Override
    String stopCommand() {
        return config.stop();
    }

    @Override
    String statusCommand() {
        return config.status();
    }

    @Override
    Status statusOf(CommandResult r) {
        return switch (r.exitCode()) {
            case 0 -> Status.RUNNING;
            case SHELL_CANNOT_EXECUTE, SHELL_NOT_FOUND -> Status.UNKNOWN;
            default -> Status.STOPPED;
        };
    }
}
