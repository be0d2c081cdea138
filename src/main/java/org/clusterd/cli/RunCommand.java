package org.clusterd.cli;

import org.clusterd.config.ClusterConfig;
import org.clusterd.node.Daemon;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "run",
        description = "Run the node daemon in the foreground until SIGTERM (then hand the groups over and exit).")
final class RunCommand extends Subcommand {
    @Mixin
    ConfigOption config;

    @Override
    int execute() throws Failure {
        ClusterConfig c = loadConfig(config);
        return Daemon.run(c);
    }
}
