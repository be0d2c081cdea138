package org.clusterd.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.clusterd.demo.DemoService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DemoService run as real processes, as the daemon's exec resource would run it. */
class DemoServiceProcessTest {
    private static final Duration WITHIN = Duration.ofSeconds(20);

    @TempDir
    Path dir;
    private final List<NodeProcess> services = new ArrayList<>();

    @AfterEach
    void closeServices() {
        services.forEach(NodeProcess::close);
    }

    private NodeProcess service(String node, String group, int port, Path journal) throws IOException {
        NodeProcess p = NodeProcess.startJavaMain(node + "-" + group, dir.resolve(node + "-" + group + ".log"),
                DemoService.class.getName(), List.of("--node", node, "--group", group, "--port", Integer.toString(port),
                        "--journal", journal.toString()));
        services.add(p);
        return p;
    }

    private static List<String> lines(Path journal) throws IOException {
        return Files.exists(journal) ? Files.readAllLines(journal) : List.of();
    }

    private static long count(Path journal, String prefix) throws IOException {
        return lines(journal).stream().filter(l -> l.startsWith(prefix)).count();
    }

    @Test
    void answersWhoServesAndJournalsStartTicksAndStopOnSigterm() throws Exception {
        int port = FreePorts.next();
        Path journal = dir.resolve("journal");
        NodeProcess alpha = service("alpha", "mail", port, journal);

        ServiceProbe.Timed answered = ServiceProbe.awaitServedBy(port, "alpha", WITHIN).orElseThrow();
        assertThat(answered.answer()).satisfies(a -> {
            assertThat(a.group()).isEqualTo("mail");
            assertThat(a.pid()).isEqualTo(alpha.pid());
        });
        assertThat(ServiceProbe.probe(port)).hasValueSatisfying(line ->
                assertThat(line).matches("mail served by alpha pid " + alpha.pid() + " since \\d{4}-\\d\\d-\\d\\dT\\S+Z"));
        await().atMost(WITHIN).until(() -> count(journal, "TICK alpha mail ") >= 3);

        alpha.terminate();

        assertThat(alpha.waitForExit(WITHIN)).isTrue();
        List<String> lines = lines(journal);
        assertThat(lines.get(0)).matches("START alpha mail \\d+ " + alpha.pid());
        assertThat(lines.subList(1, lines.size() - 1)).allMatch(l -> l.matches("TICK alpha mail \\d+ " + alpha.pid()));
        assertThat(lines.get(lines.size() - 1)).matches("STOP alpha mail \\d+ " + alpha.pid());
        assertThat(Journal.read(journal).intervals("mail")).singleElement()
                .satisfies(i -> assertThat(i.stopped()).isTrue());
        assertThat(ServiceProbe.probe(port)).isEmpty();
    }

    @Test
    void killMinus9EndsTheTicksWithoutStop() throws Exception {
        int port = FreePorts.next();
        Path journal = dir.resolve("journal");
        NodeProcess alpha = service("alpha", "mail", port, journal);
        await().atMost(WITHIN).until(() -> count(journal, "TICK ") >= 2);

        alpha.killGroup9();

        assertThat(alpha.waitForExit(WITHIN)).isTrue();
        long ticks = count(journal, "TICK ");
        await().during(Duration.ofMillis(300)).atMost(WITHIN).until(() -> count(journal, "TICK ") == ticks);
        assertThat(count(journal, "STOP ")).isZero();
        assertThat(Journal.read(journal).intervals("mail")).singleElement()
                .satisfies(i -> assertThat(i.stopped()).isFalse());
    }

    @Test
    void twoNodesCanBindTheSamePortSoAnOverlapShowsInsteadOfABindError() throws Exception {
        int port = FreePorts.next();
        Path journal = dir.resolve("journal");
        NodeProcess alpha = service("alpha", "mail", port, journal);
        ServiceProbe.awaitServedBy(port, "alpha", WITHIN).orElseThrow();
        NodeProcess beta = service("beta", "mail", port, journal);
        await().atMost(WITHIN).until(() -> count(journal, "START beta ") == 1);

        Set<String> answering = new HashSet<>();
        await().atMost(WITHIN).pollInterval(Duration.ofMillis(10)).until(() -> {
            ServiceProbe.who(port).ifPresent(a -> answering.add(a.node()));
            return answering.size() == 2;
        });
        await().atMost(WITHIN).until(() -> count(journal, "TICK beta ") >= 3);
        beta.terminate();
        alpha.killGroup9();
        assertThat(beta.waitForExit(WITHIN)).isTrue();
        assertThat(alpha.waitForExit(WITHIN)).isTrue();

        assertThat(answering).containsExactlyInAnyOrder("alpha", "beta");
        Journal history = Journal.read(journal);
        assertThat(history.overlaps("mail")).singleElement().satisfies(o -> {
            assertThat(List.of(o.node1(), o.node2())).containsExactlyInAnyOrder("alpha", "beta");
            assertThat(o.durationMillis()).isGreaterThanOrEqualTo(100);
        });
        assertThat(history.maxOverlapMillis("mail")).isGreaterThanOrEqualTo(100);
    }

    @Test
    void twoServicesAppendingToOneJournalNeverInterleaveLines() throws Exception {
        Path journal = dir.resolve("journal");
        service("alpha", "mail", FreePorts.next(), journal);
        service("beta", "files", FreePorts.next(), journal);
        await().atMost(WITHIN).until(() -> count(journal, "TICK ") >= 40);
        services.forEach(NodeProcess::terminate);
        services.forEach(p -> p.waitForExit(WITHIN));

        assertThat(lines(journal)).allMatch(l -> l.matches("(START|TICK|STOP) (alpha mail|beta files) \\d+ \\d+"));
        assertThat(Journal.read(journal).intervals()).hasSize(2);
    }

    @Test
    void badCommandLinesAreRejectedWithUsage() throws Exception {
        assertThatThrownBy(() -> DemoService.Options.parse("--node", "a", "--group", "g", "--journal", "j"))
                .hasMessageContaining("--port");
        assertThatThrownBy(() -> DemoService.Options.parse("--node", "a b", "--group", "g", "--port", "1", "--journal", "j"))
                .hasMessageContaining("--node");
        assertThatThrownBy(() -> DemoService.Options.parse("--node", "a", "--group", "g", "--port", "x", "--journal", "j"))
                .hasMessageContaining("--port");
        assertThatThrownBy(() -> DemoService.Options.parse("--node", "a", "--group", "g", "--port", "1", "--journal"))
                .hasMessageContaining("missing value");
        assertThat(DemoService.Options.parse("--node", "a", "--group", "g", "--port", "1", "--journal", "j"))
                .isEqualTo(new DemoService.Options("a", "g", 1, Path.of("j"), "127.0.0.1"));

        NodeProcess bad = NodeProcess.startJavaMain("bad", dir.resolve("bad.log"), DemoService.class.getName(),
                List.of("--node", "a"));
        services.add(bad);
        assertThat(bad.waitForExit(WITHIN)).isTrue();
        assertThat(bad.exitCode()).hasValue(2);
        assertThat(bad.logText()).contains("usage: DemoService");
    }
}
