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
        ClusterFixture.Options options = ClusterFixture.mirrored(dir.resolve("keys"), "files", "copy", this::files).name("resyncCrash");
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
