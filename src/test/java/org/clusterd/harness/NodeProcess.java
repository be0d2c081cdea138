package org.clusterd.harness;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A process started as the leader of its own process group ({@code setsid COMMAND...}), standing
 * for one node of a multi-process test: the daemon JVM plus every service it starts, which stay
 * in its group.
 *
 * <p>{@link #pid()} is also the group id: {@code setsid} execs the command when the caller is
 * not a group leader (a child of the JVM never is), so the pid Java sees is the new leader's.
 * {@link #start} waits until the group exists before it returns, so a group kill right after
 * start cannot miss.
 *
 * <p>Signals: {@link #killGroup9()} is a power loss of the whole node; {@link #killDaemon9()},
 * {@link #terminate()}, {@link #freeze()} and {@link #resume()} reach the leader (the daemon
 * JVM) only. Output and errors go to one log file. Every instance is registered until closed;
 * a JVM shutdown hook kills the groups of those still registered so no process outlives the
 * test JVM.
 */
public final class NodeProcess implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeProcess.class);
    private static final Duration GROUP_FORMS_WITHIN = Duration.ofSeconds(10);
    private static final Set<NodeProcess> registered = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            for (NodeProcess p : registered) {
                p.killGroup9();
            }
        }, "node-process-reaper"));
    }

    private final String name;
    private final Process process;
    private final Path logFile;
    private final List<String> command;

    private NodeProcess(String name, Process process, Path logFile, List<String> command) {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.command = command;
    }

    /** Starts {@code setsid COMMAND...} with stdin from /dev/null and stdout+stderr appended to {@code logFile}. */
    public static NodeProcess start(String name, Path logFile, List<String> command) throws IOException {
        return start(name, logFile, command, Map.of());
    }

    /** As {@link #start(String, Path, List)}, with {@code environment} added to this JVM's environment. */
    public static NodeProcess start(String name, Path logFile, List<String> command, Map<String, String> environment)
            throws IOException {
        List<String> full = new ArrayList<>();
        full.add("setsid");
        full.addAll(command);
        Files.createDirectories(logFile.toAbsolutePath().getParent());
        ProcessBuilder builder = new ProcessBuilder(full)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
        builder.environment().putAll(environment);
        Process process = builder.start();
        NodeProcess node = new NodeProcess(name, process, logFile, List.copyOf(full));
        registered.add(node);
        try {
            await("process group of " + name).atMost(GROUP_FORMS_WITHIN).pollInterval(Duration.ofMillis(5))
                    .until(() -> !process.isAlive() || node.leadsItsGroup());
        } catch (ConditionTimeoutException e) {
            node.close();
            throw new IllegalStateException(name + " did not become a process group leader: " + full, e);
        }
        log.info("started {}", node);
        return node;
    }

    /** Starts the daemon: {@code setsid java -Xmx128m -jar <daemonJar()> ARGS...}. */
    public static NodeProcess startDaemon(String name, Path logFile, List<String> args) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx128m", "-jar", daemonJar().toString()));
        command.addAll(args);
        return start(name, logFile, command);
    }

    /** Starts {@code setsid java -Xmx64m -cp <this JVM's class path> MAIN ARGS...}, e.g. a DemoService. */
    public static NodeProcess startJavaMain(String name, Path logFile, String mainClass, List<String> args)
            throws IOException {
        List<String> command = new ArrayList<>(List.of(javaExecutable(), "-Xmx64m", "-cp", testClassPath(), mainClass));
        command.addAll(args);
        return start(name, logFile, command);
    }

    /** System property {@code clusterd.jar} (set by failsafe), else {@code target/clusterd.jar}. */
    public static Path daemonJar() {
        return Path.of(System.getProperty("clusterd.jar", "target/clusterd.jar")).toAbsolutePath();
    }

    public static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The class path of this JVM (under surefire: test classes, main classes, dependencies). */
    public static String testClassPath() {
        return System.getProperty("java.class.path");
    }

    public String name() {
        return name;
    }

    /** Pid of the leader (the daemon JVM), which is also the process group id. */
    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** kill -9 to every process of the group: the JVM and every service it started. */
    public void killGroup9() {
        if (!groupMembers().isEmpty()) {
            signal("KILL", "-" + pid());
        }
    }

    /** kill -9 to the JVM only; services it started keep running. */
    public void killDaemon9() {
        process.destroyForcibly();
    }

    /** SIGTERM to the JVM only. */
    public void terminate() {
        process.destroy();
    }

    /** SIGSTOP to the JVM only (a hung daemon: alive, silent). */
    public void freeze() {
        signal("STOP", Long.toString(pid()));
    }

    /** SIGCONT to the JVM only. */
    public void resume() {
        signal("CONT", Long.toString(pid()));
    }

    /** Waits at most {@code timeout} for the leader to exit; true if it did. */
    public boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The leader's exit code, if it has exited. */
    public OptionalInt exitCode() {
        return process.isAlive() ? OptionalInt.empty() : OptionalInt.of(process.exitValue());
    }

    /** Pids of the live (not zombie) processes whose process group is this one, read from /proc. */
    public List<Long> groupMembers() {
        List<Long> members = new ArrayList<>();
        try (Stream<Path> entries = Files.list(Path.of("/proc"))) {
            entries.map(p -> p.getFileName().toString())
                    .filter(n -> !n.isEmpty() && n.chars().allMatch(Character::isDigit))
                    .forEach(n -> procStat(Long.parseLong(n))
                            .filter(s -> s.pgrp() == pid() && s.state() != 'Z')
                            .ifPresent(s -> members.add(Long.parseLong(n))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return members;
    }

    /** Waits at most {@code timeout} until no live process is left in the group; true if none is. */
    public boolean waitForGroupGone(Duration timeout) {
        try {
            await("group of " + name + " gone").atMost(timeout).pollInterval(Duration.ofMillis(20))
                    .until(() -> groupMembers().isEmpty());
            return true;
        } catch (ConditionTimeoutException e) {
            return false;
        }
    }

    /** True if {@code pid} is a live process; a zombie (dead, not yet reaped by its new parent) is not. */
    public static boolean isRunning(long pid) {
        return procStat(pid).map(s -> s.state() != 'Z').orElse(false);
    }

    public Path logFile() {
        return logFile;
    }

    /** Everything the process wrote so far (stdout and stderr), or "" if nothing yet. */
    public String logText() {
        try {
            return Files.exists(logFile) ? new String(Files.readAllBytes(logFile), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Kills the whole group if anything of it is still alive, and waits (bounded) until it is gone. */
    @Override
    public void close() {
        try {
            if (process.isAlive() || !groupMembers().isEmpty()) {
                killGroup9();
                process.destroyForcibly();
                if (!waitForExit(Duration.ofSeconds(10)) || !waitForGroupGone(Duration.ofSeconds(10))) {
                    log.warn("{} still has live processes after kill -9: {}", this, groupMembers());
                }
            }
        } finally {
            if (registered.remove(this)) {
                log.info("closed {}", this);
            }
        }
    }

    @Override
    public String toString() {
        return "NodeProcess[" + name + " pid=" + pid() + (process.isAlive() ? " alive" : " exited") + " log="
                + logFile + " cmd=" + command.stream().map(NodeProcess::abbreviate).collect(Collectors.joining(" ")) + "]";
    }

    private static String abbreviate(String arg) {
        return arg.length() <= 120 ? arg : arg.substring(0, 60) + "...(" + arg.length() + " chars)";
    }

    private boolean leadsItsGroup() {
        return procStat(pid()).map(s -> s.pgrp() == pid()).orElse(false);
    }

    private record ProcStat(char state, long pgrp) {
    }

    /** /proc/PID/stat: "pid (comm) state ppid pgrp ..."; comm may hold spaces and parentheses. */
    private static Optional<ProcStat> procStat(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Optional.of(new ProcStat(fields[0].charAt(0), Long.parseLong(fields[2])));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private void signal(String signal, String target) {
        try {
            Process kill = new ProcessBuilder("kill", "-s", signal, "--", target)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            if (!kill.waitFor(5, TimeUnit.SECONDS)) {
                kill.destroyForcibly();
                log.warn("kill -s {} -- {} did not finish within 5 s", signal, target);
            } else if (kill.exitValue() != 0) {
                log.debug("kill -s {} -- {} exited {}", signal, target, kill.exitValue());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
