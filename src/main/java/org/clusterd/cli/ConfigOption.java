package org.clusterd.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --config FILE}, shared by the commands that need the node's configuration. */
final class ConfigOption {
    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "the node's configuration file (default: $" + Main.CONFIG_ENV + ", else "
                    + Main.DEFAULT_CONFIG_TEXT + ")")
    Path file;
}
