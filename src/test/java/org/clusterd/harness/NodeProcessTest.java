package org.clusterd.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.clusterd.demo.DemoService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeProcessTest {
    private static final Duration WITHIN = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private final List<NodeProcess> nodes = new ArrayList<>();

    @AfterEach
    void closeNodes() {
        nodes.forEach(NodeProcess::close);
    }

    private NodeProcess start(String name, String... command) throws IOException {
        NodeProcess node = NodeProcess.start(name, dir.resolve(name + ".log"), List.of(command));
        nodes.add(node);
        return node;
    }

    /** A shell that starts {@code sleep 300} in the background, writes its pid to a file and waits. */
    private NodeProcess startShellWithBackgroundChild(String name, Path pidFile) throws IOException {
        return start(name, "bash", "-c", "sleep 300 & echo $! > '" + pidFile + "'; wait");
    }

    private static long readPid(Path pidFile) throws IOException {
        await().atMost(WITHIN).until(() -> Files.exists(pidFile) && Files.readString(pidFile).strip().matches("\\d+"));
        return Long.parseLong(Files.readString(pidFile).strip());
    }

    /** Alive and not a zombie (an orphan's zombie may linger until init reaps it). */
    private static boolean running(long pid) {
        return NodeProcess.isRunning(pid);
    }

    private static String ps(String field, long pid) throws Exception {
        Process ps = new ProcessBuilder("ps", "-o", field + "=", "-p", Long.toString(pid)).start();
        String out = new String(ps.getInputStream().readAllBytes()).strip();
        ps.waitFor();
        return out;
    }

    @Test
    void theProcessJavaStartedIsTheLeaderOfItsOwnProcessGroup() throws Exception {
        NodeProcess node = start("leader", "sleep", "300");

        assertThat(ps("pgid", node.pid())).isEqualTo(Long.toString(node.pid()));
        assertThat(ps("sid", node.pid())).isEqualTo(Long.toString(node.pid()));
        assertThat(ps("pgid", ProcessHandle.current().pid())).isNotEqualTo(Long.toString(node.pid()));
        assertThat(ps("comm", node.pid())).isEqualTo("sleep");
        assertThat(node.groupMembers()).containsExactly(node.pid());
    }

    @Test
    void killGroup9KillsTheLeaderAndEveryProcessItStartedInTheBackground() throws Exception {
        Path pidFile = dir.resolve("child.pid");
        NodeProcess node = startShellWithBackgroundChild("node", pidFile);
        long child = readPid(pidFile);
        assertThat(running(child)).isTrue();
        assertThat(node.groupMembers()).containsExactlyInAnyOrder(node.pid(), child);

        node.killGroup9();

        assertThat(node.waitForExit(WITHIN)).isTrue();
        assertThat(node.exitCode()).hasValue(128 + 9);
        await().atMost(WITHIN).until(() -> !running(child));
        assertThat(node.waitForGroupGone(WITHIN)).isTrue();
    }

    @Test
    void killDaemon9LeavesWhatTheDaemonStartedAndCloseKillsIt() throws Exception {
        Path pidFile = dir.resolve("child.pid");
        NodeProcess node = startShellWithBackgroundChild("node", pidFile);
        long child = readPid(pidFile);

        node.killDaemon9();

        assertThat(node.waitForExit(WITHIN)).isTrue();
        assertThat(node.isAlive()).isFalse();
        assertThat(running(child)).isTrue();
        assertThat(node.groupMembers()).containsExactly(child);

        node.close();

        assertThat(running(child)).isFalse();
        assertThat(node.groupMembers()).isEmpty();
    }

    @Test
    void closeKillsAFrozenGroup() throws Exception {
        Path pidFile = dir.resolve("child.pid");
        NodeProcess node = startShellWithBackgroundChild("node", pidFile);
        long child = readPid(pidFile);
        node.freeze();

        node.close();

        assertThat(node.isAlive()).isFalse();
        assertThat(running(child)).isFalse();
    }

    @Test
    void logTextHoldsStandardOutputAndErrors() throws Exception {
        NodeProcess node = start("talker", "bash", "-c", "echo to-stdout; echo to-stderr >&2; exit 7");

        assertThat(node.waitForExit(WITHIN)).isTrue();
        assertThat(node.exitCode()).hasValue(7);
        assertThat(node.logText()).contains("to-stdout", "to-stderr");
        assertThat(node.logFile()).isEqualTo(dir.resolve("talker.log"));
    }

    @Test
    void terminateFreezeAndResumeReachTheJvm() throws Exception {
        Path journal = dir.resolve("journal");
        int port = FreePorts.next();
        NodeProcess node = NodeProcess.startJavaMain("alpha", dir.resolve("alpha.log"), DemoService.class.getName(),
                List.of("--node", "alpha", "--group", "mail", "--port", Integer.toString(port),
                        "--journal", journal.toString()));
        nodes.add(node);
        await().atMost(WITHIN).until(() -> ticks(journal) >= 2);

        node.freeze();
        await().atMost(WITHIN).until(() -> ps("stat", node.pid()).startsWith("T"));
        long frozenAt = ticks(journal);
        await().during(Duration.ofMillis(400)).atMost(WITHIN).until(() -> ticks(journal) <= frozenAt + 1);

        node.resume();
        await().atMost(WITHIN).until(() -> ticks(journal) >= frozenAt + 4);

        node.terminate();
        assertThat(node.waitForExit(WITHIN)).isTrue();
        assertThat(node.exitCode()).hasValue(128 + 15);
        assertThat(Files.readAllLines(journal)).last().asString().startsWith("STOP alpha mail ").endsWith(" " + node.pid());
    }

    private static long ticks(Path journal) throws IOException {
        if (!Files.exists(journal)) {
            return 0;
        }
        try (var lines = Files.lines(journal)) {
            return lines.filter(l -> l.startsWith("TICK ")).count();
        }
    }
}
