package org.clusterd.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code clusterd} command: runs the daemon ({@code run}) and talks to a running one over the local
 * control channel ({@code status}, {@code standby}, {@code join}, {@code failover}, {@code failback}).
 * The command line's own output goes to standard output and error; user errors are one line, never a
 * stack trace.
 *
 * <p>Exit codes: {@value #OK} done / the daemon answered or accepted; {@value #REFUSED} refused or
 * failed; {@value #USAGE} usage or configuration error; {@value #NOT_RUNNING} no daemon answers (as
 * LSB {@code status}).
 */
@Command(name = "clusterd", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "High-availability cluster daemon for two Linux servers.",
        subcommands = {RunCommand.class, CheckConfigCommand.class, StatusCommand.class, StandbyCommand.class,
                JoinCommand.class, FailoverCommand.class, FailbackCommand.class, MirrorCommand.class, KeygenCommand.class, DemoCommand.class,
                CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:done; the daemon answered or accepted the command",
                "1:the daemon refused the command, or it failed",
                "2:usage or configuration error",
                "3:no clusterd daemon answers (not running)"},
        footer = {"", "--config defaults to $" + Main.CONFIG_ENV + ", else " + Main.DEFAULT_CONFIG_TEXT + "."})
public final class Main implements Callable<Integer> {
    public static final int OK = 0;
    public static final int REFUSED = 1;
    public static final int USAGE = 2;
    public static final int NOT_RUNNING = 3;

    /** Environment variable naming the configuration file when {@code --config} is not given. */
    public static final String CONFIG_ENV = "CLUSTERD_CONFIG";
    static final String DEFAULT_CONFIG_TEXT = "/etc/clusterd/clusterd.yaml";
    public static final Path DEFAULT_CONFIG = Path.of(DEFAULT_CONFIG_TEXT);

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private final Map<String, String> env;

    @Spec
    CommandSpec spec;

    /** For picocli; reads the process environment. */
    public Main() {
        this(System.getenv());
    }

    Main(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    public static void main(String[] args) {
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** The configured command line, with {@code env} standing for the process environment (tests pass their own). */
    public static CommandLine commandLine(Map<String, String> env) {
        CommandLine cl = new CommandLine(new Main(env));
        cl.setParameterExceptionHandler((e, args) -> {
            // "clusterd failover: Missing required parameter: 'GROUP'", then suggestions or the usage
            CommandLine command = e.getCommandLine();
            PrintWriter err = command.getErr();
            String name = command.getCommandSpec().qualifiedName();
            err.println(name + ": " + e.getMessage());
            if (UnmatchedArgumentException.printSuggestions(e, err)) {
                err.println("See '" + name + " --help'.");
            } else {
                command.usage(err);
            }
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, command, parseResult) -> {
            // a bug or an unexpected failure, not a user error: one line; details in the log at DEBUG
            log.debug("{} failed", command.getCommandName(), e);
            command.getErr().println(command.getCommandSpec().qualifiedName() + ": internal error: " + e
                    + " (set CLUSTERD_LOG_LEVEL=DEBUG for details)");
            return REFUSED;
        });
        return cl;
    }

    /** No subcommand: show what there is and fail as a usage error. */
    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        err.println("clusterd: a command is required");
        spec.commandLine().usage(err);
        return USAGE;
    }

    /** {@code --config} if given, else {@code $CLUSTERD_CONFIG}, else {@link #DEFAULT_CONFIG}. */
    Path configFile(Path option) {
        if (option != null) {
            return option;
        }
        String fromEnv = env.get(CONFIG_ENV);
        return fromEnv != null && !fromEnv.isBlank() ? Path.of(fromEnv) : DEFAULT_CONFIG;
    }

    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"clusterd " + (v != null ? v : "(development build)")};
        }
    }
}
