package org.clusterd.resource;

import org.clusterd.config.ResourceConfig;

import java.util.Map;
import java.util.Set;

/**
 * A systemd unit: {@code systemctl start|stop UNIT} and {@code systemctl is-active UNIT}.
 * is-active answers: active, activating, reloading, refreshing, deactivating → RUNNING (processes are
 * there); inactive → STOPPED; failed → FAILED (processes gone: counts as stopped after a failed stop);
 * anything else → UNKNOWN. The timeout bounds the systemctl client only: a job systemd already
 * accepted goes on (and the unit's own TimeoutStartSec/TimeoutStopSec apply). {@code systemctl start}
 * is idempotent and handles a deactivating unit itself, so start does not ask is-active first.
 */
public final class SystemdAgent extends ScriptedAgent {
    /** The systemctl command used in production. */
    public static final String SYSTEMCTL = "systemctl";

    private final String systemctl;
    private final String unit;

    public SystemdAgent(ResourceConfig.Systemd config, Map<String, String> env, CommandRunner runner) {
        this(config, env, runner, SYSTEMCTL);
    }

    /** {@code systemctl}: the command prefix to call instead of {@code systemctl} (tests, containers). */
    public SystemdAgent(ResourceConfig.Systemd config, Map<String, String> env, CommandRunner runner,
                        String systemctl) {
        super(config.name(), env, config.timeoutMs(), runner);
        this.systemctl = systemctl;
        this.unit = Shell.quote(config.unit());
    }

    @Override
    boolean checkStatusBeforeStart() {
        return false;
    }

    @Override
    String startCommand() {
        return systemctl + " start " + unit;
    }

    @Override
    String stopCommand() {
        return systemctl + " stop " + unit;
    }

    @Override
    String statusCommand() {
        return systemctl + " is-active " + unit;
    }

    @Override
    Status statusOf(CommandResult r) {
        for (String line : r.output().split("\n")) {
            Status s = switch (line.strip()) {
                case "active", "activating", "reloading", "refreshing", "deactivating" -> Status.RUNNING;
                case "inactive" -> Status.STOPPED;
                case "failed" -> Status.FAILED;
                default -> null;
            };
            if (s != null) {
                return s;
            }
        }
        return Status.UNKNOWN;
    }

    @Override
    Set<Status> stoppedStates() {
        return Set.of(Status.STOPPED, Status.FAILED);
    }
}
