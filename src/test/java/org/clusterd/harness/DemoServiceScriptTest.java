package org.clusterd.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etc/demo/demo-service.sh as the daemon's exec resource runs it: start, status, stop. */
class DemoServiceScriptTest {
    private static final Path SCRIPT = Path.of("etc/demo/demo-service.sh").toAbsolutePath();
    private static final Duration WITHIN = Duration.ofSeconds(30);

    @TempDir
    Path dir;
    private int port;
    private Path journal;
    private final List<NodeProcess> nodes = new ArrayList<>();

    private record Result(int exit, String output) {
    }

    @BeforeEach
    void setUp() {
        port = FreePorts.next();
        journal = dir.resolve("journal");
    }

    @AfterEach
    void stopEverything() throws Exception {
        for (String node : List.of("alpha", "beta")) {
            script("stop", node);
        }
        nodes.forEach(NodeProcess::close);
    }

    private Path pidFile(String node) {
        return dir.resolve(node + ".pid");
    }

    private List<String> args(String action, String node) {
        return List.of(SCRIPT.toString(), action, node, "mail", Integer.toString(port), journal.toString(),
                pidFile(node).toString());
    }

    private Map<String, String> env() {
        return Map.of("CLUSTERD_JAR", NodeProcess.testClassPath());
    }

    /**
     * Runs the script with its output on a pipe, reading to end of file: this returns only if
     * the service it started does not hold the pipe open (a daemon reading the script's output
     * would otherwise hang).
     */
    private Result script(String action, String node) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(args(action, node)).redirectErrorStream(true);
        builder.environment().putAll(env());
        Process p = builder.start();
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "read failed: " + e;
            }
        });
        assertThat(p.waitFor(WITHIN.toSeconds(), TimeUnit.SECONDS)).as("script %s finished", action).isTrue();
        return new Result(p.exitValue(), output.get(5, TimeUnit.SECONDS));
    }

    private long recordedPid(String node) throws IOException {
        return Long.parseLong(Files.readString(pidFile(node)).strip());
    }

    @Test
    void startStatusStopFollowTheExecResourceContract() throws Exception {
        assertThat(script("status", "alpha").exit()).isEqualTo(3);

        assertThat(script("start", "alpha")).satisfies(r -> assertThat(r.exit()).as(r.output()).isZero());
        long pid = recordedPid("alpha");
        assertThat(ServiceProbe.who(port)).hasValueSatisfying(a -> {
            assertThat(a.node()).isEqualTo("alpha");
            assertThat(a.pid()).isEqualTo(pid);
        });
        assertThat(script("status", "alpha").exit()).isZero();
        assertThat(script("status", "beta").exit()).as("another node's pid file").isEqualTo(3);

        assertThat(script("start", "alpha").exit()).as("start when running").isZero();
        assertThat(recordedPid("alpha")).isEqualTo(pid);

        assertThat(script("stop", "alpha").exit()).isZero();
        assertThat(pidFile("alpha")).doesNotExist();
        assertThat(NodeProcess.isRunning(pid)).isFalse();
        assertThat(script("status", "alpha").exit()).isEqualTo(3);
        assertThat(script("stop", "alpha").exit()).as("stop when stopped").isZero();
        assertThat(Files.readAllLines(journal)).first().asString().startsWith("START alpha mail ");
        assertThat(Files.readAllLines(journal)).last().asString().startsWith("STOP alpha mail ");
    }

    @Test
    void statusIsNotFooledByAStalePidFile() throws Exception {
        Files.writeString(pidFile("alpha"), ProcessHandle.current().pid() + "\n");
        assertThat(script("status", "alpha").exit()).as("a live pid that is no DemoService").isEqualTo(3);
        Files.writeString(pidFile("alpha"), "garbage\n");
        assertThat(script("status", "alpha").exit()).isEqualTo(3);

        assertThat(script("start", "alpha").exit()).isZero();
        assertThat(script("status", "alpha").exit()).isZero();
    }

    @Test
    void startWaitsForItsOwnInstanceWhenAnotherNodeSharesThePort() throws Exception {
        assertThat(script("start", "alpha").exit()).isZero();
        assertThat(script("start", "beta")).satisfies(r -> assertThat(r.exit()).as(r.output()).isZero());

        assertThat(script("status", "alpha").exit()).isZero();
        assertThat(script("status", "beta").exit()).isZero();
        // Alpha's next TICK after beta's START makes the overlap visible; on a loaded machine
        // the script can return before alpha has ticked again.
        await().atMost(WITHIN).untilAsserted(() -> assertThat(Journal.read(journal).overlaps("mail")).isNotEmpty());
    }

    @Test
    void startFailsWhenTheServiceCannotRun() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(args("start", "alpha")).redirectErrorStream(true);
        builder.environment().put("CLUSTERD_JAR", dir.resolve("missing.jar").toString());
        Process p = builder.start();
        assertThat(p.waitFor(WITHIN.toSeconds(), TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(pidFile("alpha")).doesNotExist();
    }

    @Test
    void theServiceStaysInTheCallersProcessGroupSoAGroupKillIsAPowerLoss() throws Exception {
        List<String> command = new ArrayList<>(List.of("bash", "-c", "\"$@\" && exec sleep 300", "node"));
        command.addAll(args("start", "alpha"));
        NodeProcess node = NodeProcess.start("node-alpha", dir.resolve("node-alpha.log"), command, env());
        nodes.add(node);
        await().atMost(WITHIN).until(() -> ServiceProbe.who(port).isPresent());
        long servicePid = recordedPid("alpha");
        assertThat(node.groupMembers()).contains(servicePid);

        node.killGroup9();

        assertThat(node.waitForGroupGone(WITHIN)).isTrue();
        assertThat(ServiceProbe.probe(port)).isEmpty();
        assertThat(Files.readAllLines(journal)).noneMatch(l -> l.startsWith("STOP "));
        assertThat(script("status", "alpha").exit()).isEqualTo(3);
    }
}
