package org.clusterd.resource;

import org.clusterd.config.ResourceConfig;

import java.util.Map;

/**
 * A resource given as three shell commands. Status exit 0 is RUNNING, any other exit STOPPED,
 * no answer (timeout, cannot run) UNKNOWN. See {@link ScriptedAgent} for start/stop idempotence.
 */
public final class ExecAgent extends ScriptedAgent {
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
        return r.exitCode() == 0 ? Status.RUNNING : Status.STOPPED;
    }
}
