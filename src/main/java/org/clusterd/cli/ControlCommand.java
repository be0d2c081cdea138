package org.clusterd.cli;

import org.clusterd.config.ClusterConfig;
import org.clusterd.control.CommandOutcome;
import org.clusterd.control.ControlClient;
import org.clusterd.control.ControlException;
import picocli.CommandLine.Mixin;

/** A subcommand that talks to the local daemon over the control channel named in the configuration. */
abstract class ControlCommand extends Subcommand {
    @Mixin
    ConfigOption config;

    @Override
    final int execute() throws Failure {
        ClusterConfig c = loadConfig(config);
        try {
            return talk(new ControlClient(c.control()));
        } catch (ControlException e) {
            throw new Failure(exitCode(e.kind()), e.getMessage());
        }
    }

    abstract int talk(ControlClient client) throws ControlException;

    /** Prints the daemon's message: 0 if it accepted the command, 1 if it refused it. */
    int report(CommandOutcome outcome) {
        if (outcome.accepted()) {
            out().println(outcome.message());
            return Main.OK;
        }
        err().println("refused: " + outcome.message());
        return Main.REFUSED;
    }

    static int exitCode(ControlException.Kind kind) {
        switch (kind) {
            case NOT_RUNNING:
                return Main.NOT_RUNNING;
            case ACCESS:
                return Main.USAGE;
            case FAILED:
            default:
                return Main.REFUSED;
        }
    }
}
