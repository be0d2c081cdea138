package org.clusterd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.clusterd.config.ClusterConfig;
import org.clusterd.config.ConfigException;
import org.clusterd.config.ConfigLoader;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Base of the subcommands: their output streams, the configuration, and failures as exit codes. */
abstract class Subcommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    Main main;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    /** Ends the command with {@code exitCode}, printing {@code message} to standard error. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        Failure(int exitCode, String message) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }
    }

    @Override
    public final Integer call() {
        try {
            return execute();
        } catch (Failure f) {
            err().println(f.getMessage());
            return f.exitCode;
        } finally {
            out().flush();
            err().flush();
        }
    }

    abstract int execute() throws Failure;

    PrintWriter out() {
        return spec.commandLine().getOut();
    }

    PrintWriter err() {
        return spec.commandLine().getErr();
    }

    /** Loads and validates the configuration; a bad file is a usage error with its {@code FILE:LINE: key: reason}. */
    static ClusterConfig load(Path file) throws Failure {
        try {
            return ConfigLoader.load(file);
        } catch (ConfigException e) {
            throw new Failure(Main.USAGE, e.getMessage());
        }
    }

    ClusterConfig loadConfig(ConfigOption option) throws Failure {
        return load(main.configFile(option.file));
    }
}
