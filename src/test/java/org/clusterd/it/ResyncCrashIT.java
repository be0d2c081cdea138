package org.clusterd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.it.ClusterFixture.ALPHA;
import static org.clusterd.it.ClusterFixture.BETA;
import static org.clusterd.it.ClusterFixture.MAIL;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.clusterd.mirror.MirrorKeys;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A power loss of the owner in the middle of the bulk resync that brings a group's data back to its
 * returning home node: the home node takes the group over with whatever arrived, every file on both
 * nodes is whole (its old or its new content, never half), and nothing written during the outage is lost.
 */
class ResyncCrashIT {
    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final int FILES = 300;
    private static final int SIZE = 256 * 1024;

    @TempDir
    Path dir;

    private Path files(String node) {
        return dir.resolve("data").resolve(node).resolve("files");
    }

    private static byte[] content(int i) {
        byte[] b = new byte[SIZE];
        new Random(i).nextBytes(b);
        return b;
    }

    private long arrived(String node) throws Exception {
        try (Stream<Path> s = Files.list(files(node))) {
            return s.filter(p -> p.getFileName().toString().startsWith("f")).count();
        }
    }

    @Test
    void aPowerLossOfTheOwnerDuringTheBulkResyncLeavesOnlyWholeFilesAndLosesNothing() throws Exception {
        List<MirrorKeys.NodeKeys> keys = MirrorKeys.generate(dir.resolve("keys"), List.of(ALPHA, BETA));
        int[] ports = org.clusterd.harness.FreePorts.next(2);
        for (String n : List.of(ALPHA, BETA)) {
            Files.createDirectories(files(n));
        }
        ClusterFixture.Options options = ClusterFixture.options().name("resyncCrash")
                .extraConfig(node -> {
                    int me = node.equals(ALPHA) ? ports[0] : ports[1];
                    int peer = node.equals(ALPHA) ? ports[1] : ports[0];
                    MirrorKeys.NodeKeys k = keys.get(node.equals(ALPHA) ? 0 : 1);
                    return "mirror:\n  listen: 127.0.0.1:" + me + "\n  peer: 127.0.0.1:" + peer + "\n  keystore: "
                            + k.keystore() + "\n  truststore: " + k.truststore() + "\n  passwordFile: " + k.passwordFile() + "\n";
                })
                .groupConfig((node, group) -> group.equals(MAIL)
                        ? "    mirrors:\n      - name: files\n        path: " + files(node) + "\n"
                          + "        schedule: \"0 0 0 1 1 ? 2099\"\n"
                        : "");
        try (ClusterFixture c = ClusterFixture.create(dir.resolve("cluster"), options)) {
            c.startSteady();
            c.crash(BETA);
            c.awaitRunningOn(MAIL, Set.of(ALPHA), WITHIN);
            for (int i = 0; i < FILES; i++) {
                Files.write(files(ALPHA).resolve("f" + i), content(i)); // written during the outage
            }

            c.start(BETA); // alpha now mirrors the files back before handing mail home
            Awaitility.await("part of the bulk pass arrived").atMost(WITHIN).pollInterval(Duration.ofMillis(5))
                    .until(() -> arrived(BETA) >= 10);
            c.crash(ALPHA); // power loss in the middle of the pass
            long partial = arrived(BETA);
            System.out.println("files on beta when alpha lost power: " + partial + " of " + FILES);

            c.awaitRunningOn(MAIL, Set.of(BETA), WITHIN);
            int onBeta = 0;
            for (int i = 0; i < FILES; i++) {
                Path onAlpha = files(ALPHA).resolve("f" + i);
                assertThat(Files.readAllBytes(onAlpha)).as("alpha keeps f" + i + " whole").isEqualTo(content(i));
                Path b = files(BETA).resolve("f" + i);
                if (Files.exists(b)) {
                    onBeta++;
                    assertThat(Arrays.equals(Files.readAllBytes(b), content(i))).as("f" + i + " on beta is whole").isTrue();
                }
            }
            assertThat(onBeta).as("part of the data had arrived").isPositive();
            c.assertNeverTwoOwners();
        }
    }
}
