package org.clusterd.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import org.clusterd.harness.NodeProcess;
import org.clusterd.harness.ServiceProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's demo as a user runs it: {@code java -jar target/clusterd.jar demo} starts both nodes,
 * each serves its home group, the CLI answers, and SIGTERM (what Ctrl-C amounts to) stops everything.
 * Runs from a copy of the project's etc/ so the developer's own demo-run/ is left alone.
 */
class DemoIT {
    @TempDir(cleanup = org.junit.jupiter.api.io.CleanupMode.ON_SUCCESS)
    Path home;

    @Test
    void theDemoRunsBothGroupsAnswersTheCliAndStopsCleanly() throws Exception {
        copy(Path.of("etc"), home.resolve("etc"));
        Files.createDirectories(home.resolve("target"));
        Path jar = home.resolve("target/clusterd.jar");
        Files.createSymbolicLink(jar, NodeProcess.daemonJar().toAbsolutePath());
        try (NodeProcess demo = NodeProcess.start("demo", home.resolve("demo.out"),
                List.of(NodeProcess.javaExecutable(), "-jar", jar.toString(), "demo"))) {
            assertThat(ServiceProbe.awaitServedBy(7301, "alpha", Duration.ofSeconds(60))).isPresent();
            assertThat(ServiceProbe.awaitServedBy(7302, "beta", Duration.ofSeconds(60))).isPresent();
            assertThat(demo.logText()).contains("kill -9", "status --config etc/demo/alpha.yaml");

            // The services may answer before the nodes' control channels are up: ask until one answers.
            String[] json = {""};
            await("clusterd status answers").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(300))
                    .untilAsserted(() -> {
                        Process status = new ProcessBuilder(NodeProcess.javaExecutable(), "-jar", jar.toString(), "status",
                                "--json", "--config", home.resolve("etc/demo/alpha.yaml").toString())
                                .redirectErrorStream(true).start();
                        json[0] = new String(status.getInputStream().readAllBytes());
                        assertThat(status.waitFor()).as(json[0]).isZero();
                    });
            assertThat(json[0]).contains("\"cluster\" : \"demo\"", "\"owner\" : \"alpha\"", "\"control\" : \"tcp:127.0.0.1:7100\"");

            demo.terminate();
            assertThat(demo.waitForExit(Duration.ofSeconds(60))).as(demo.logText()).isTrue();
            String logs = demo.logText() + Files.readString(home.resolve("demo-run/alpha.log"))
                    + Files.readString(home.resolve("demo-run/beta.log"));
            assertThat(ServiceProbe.probe(7301)).as(logs).isEmpty();
            assertThat(ServiceProbe.probe(7302)).as(logs).isEmpty();
            assertThat(demo.logText()).contains("both demo nodes have stopped");
            assertThat(Files.readString(home.resolve("demo-run/journal.log"))).contains("STOP alpha web", "STOP beta mail");
        }
    }

    private static void copy(Path from, Path to) throws Exception {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
