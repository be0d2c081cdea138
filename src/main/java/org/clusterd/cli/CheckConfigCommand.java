package org.clusterd.cli;

import java.nio.file.Path;
import org.clusterd.config.ClusterConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "check-config",
        description = "Validate a configuration file without starting anything; errors read FILE:LINE: key: reason.")
final class CheckConfigCommand extends Subcommand {
    @Parameters(index = "0", paramLabel = "FILE", description = "the configuration file to check")
    Path file;

    @Override
    int execute() throws Failure {
        ClusterConfig c = load(file);
        out().printf("%s: OK (cluster %s, node %s, peer %s, %d links, %d groups)%n", file, c.clusterName(), c.localNode(),
                c.peerNode(), c.links().size(), c.groups().size());
        return Main.OK;
    }
}
