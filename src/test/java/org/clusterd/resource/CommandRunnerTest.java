package org.clusterd.resource;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.resource.TestSupport.awaitFile;
import static org.clusterd.resource.TestSupport.awaitGone;
import static org.clusterd.resource.TestSupport.pid;
import static org.clusterd.resource.TestSupport.running;

class CommandRunnerTest {
    @TempDir
    Path dir;

    private final CommandRunner runner = new CommandRunner();

    @AfterEach
    void killLeftovers() throws IOException {
        TestSupport.killPidFiles(dir);
    }

    private CommandResult run(String command, Duration timeout) {
        return runner.run(command, Map.of("D", dir.toString()), timeout);
    }

    @Test
    void reportsExitCodeAndMergedStdoutAndStderr() {
        CommandResult r = run("echo to-out; echo to-err >&2; exit 3", Duration.ofSeconds(10));

        assertThat(r.exitCode()).isEqualTo(3);
        assertThat(r.timedOut()).isFalse();
        assertThat(r.succeeded()).isFalse();
        assertThat(r.output()).contains("to-out").contains("to-err");
        assertThat(r.summary()).startsWith("exit 3 after ");
    }

    @Test
    void addsExtraVariablesToTheInheritedEnvironment() {
        CommandResult r = runner.run("echo \"foo=$FOO path=$PATH\"", Map.of("FOO", "b a r"), Duration.ofSeconds(10));

        assertThat(r.succeeded()).isTrue();
        assertThat(r.output()).contains("foo=b a r").containsPattern("path=\\S+");
    }

    @Test
    void timeoutKillsTheCommandAndAllItsDescendants() throws IOException {
        String cmd = "echo $$ > \"$D/shell.pid\";"
                + " (sleep 300 & echo $! > \"$D/grandchild.pid\"; wait) &"
                + " echo $! > \"$D/child.pid\";"
                + " sleep 300";

        CommandResult r = run(cmd, Duration.ofMillis(1500));

        assertThat(r.timedOut()).isTrue();
        assertThat(r.exitCode()).isEqualTo(CommandResult.NO_EXIT);
        assertThat(r.elapsedMs()).isBetween(1400L, 8000L);
        for (String name : new String[] {"shell.pid", "child.pid", "grandchild.pid"}) {
            awaitGone(pid(dir.resolve(name)));
        }
    }

    @Test
    void aServiceStartedInTheBackgroundSurvivesAndDoesNotHoldTheCall() throws IOException {
        // the background sleep inherits the command's stdout: with a pipe, reading it would block 300 s
        CommandResult r = run("sleep 300 & echo $! > \"$D/bg.pid\"; echo started", Duration.ofSeconds(30));

        assertThat(r.succeeded()).isTrue();
        assertThat(r.output().strip()).isEqualTo("started");
        assertThat(r.elapsedMs()).isLessThan(10_000);
        assertThat(running(pid(dir.resolve("bg.pid")))).isTrue();
    }

    @Test
    void keepsOnlyTheLastBytesOfTheOutput() {
        CommandRunner small = new CommandRunner(1024, dir);
        String cmd = "i=0; while [ $i -lt 2000 ]; do echo \"line $i\"; i=$((i+1)); done";

        CommandResult r = small.run(cmd, Map.of(), Duration.ofSeconds(30));

        assertThat(r.succeeded()).isTrue();
        assertThat(r.output()).startsWith("[").contains("earlier bytes dropped").endsWith("line 1999\n");
        assertThat(r.output().length()).isLessThan(1024 + 40);
    }

    @Test
    void defaultLimitIsFourKibibytes() {
        CommandResult r = run("head -c 100000 /dev/zero | tr '\\0' x", Duration.ofSeconds(30));

        assertThat(r.output()).startsWith("[95904 earlier bytes dropped]\n").endsWith("x".repeat(4096));
    }

    @Test
    void unknownCommandIsTheShellsExit127() {
        CommandResult r = run("no-such-command-clusterd", Duration.ofSeconds(10));

        assertThat(r.exitCode()).isEqualTo(127);
        assertThat(r.output()).contains("not found");
    }

    @Test
    void aCommandThatCannotBeLaunchedIsReportedNotThrown() {
        CommandRunner broken = new CommandRunner(4096, dir.resolve("missing-temp-dir"));

        CommandResult r = broken.run("true", Map.of(), Duration.ofSeconds(10));

        assertThat(r.exitCode()).isEqualTo(CommandResult.NO_EXIT);
        assertThat(r.timedOut()).isFalse();
        assertThat(r.output()).startsWith("cannot run command");
    }

    @Test
    void interruptingTheCallerKillsTheCommand() throws Exception {
        AtomicReference<CommandResult> result = new AtomicReference<>();
        AtomicReference<Boolean> stillInterrupted = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            result.set(run("echo before-sleep; echo $$ > \"$D/shell.pid\"; sleep 300", Duration.ofSeconds(120)));
            stillInterrupted.set(Thread.currentThread().isInterrupted());
        });
        caller.start();
        awaitFile(dir.resolve("shell.pid"));

        caller.interrupt();
        caller.join(10_000);

        assertThat(caller.isAlive()).isFalse();
        assertThat(result.get().exitCode()).isEqualTo(CommandResult.NO_EXIT);
        assertThat(result.get().output()).startsWith("interrupted").contains("before-sleep");
        assertThat(stillInterrupted.get()).isTrue();
        awaitGone(pid(dir.resolve("shell.pid")));
    }
}
