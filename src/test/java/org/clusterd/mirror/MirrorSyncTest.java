package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MirrorSyncTest {
    @TempDir
    Path root;

    @Test
    void onlyLinuxFromFiveEightReportsWriteBackErrorsThroughSyncfs() {
        assertThat(MirrorSync.kernelReportsSyncfsErrors("Linux", "5.8.0")).isTrue();
        assertThat(MirrorSync.kernelReportsSyncfsErrors("Linux", "6.1.0-18-amd64")).isTrue();
        assertThat(MirrorSync.kernelReportsSyncfsErrors("Linux", "6.18.44-fc-v782")).isTrue();
        assertThat(MirrorSync.kernelReportsSyncfsErrors("Linux", "5.7.19")).isFalse();
        assertThat(MirrorSync.kernelReportsSyncfsErrors("Linux", "4.19.0-26-amd64")).isFalse();
        assertThat(MirrorSync.kernelReportsSyncfsErrors("Linux", "")).isFalse();
        assertThat(MirrorSync.kernelReportsSyncfsErrors("Linux", "garbage")).isFalse();
        assertThat(MirrorSync.kernelReportsSyncfsErrors("Mac OS X", "14.1")).isFalse();
    }

    @Test
    void aRequestCompletesAfterASyncThatBeganAfterIt() throws Exception {
        try (MirrorSync sync = MirrorSync.openOn(root)) {
            assertThat(sync).isNotNull();
            Files.writeString(root.resolve("a"), "x");
            sync.after().get(30, TimeUnit.SECONDS);
            long first = sync.syncs();
            assertThat(first).isPositive();

            // a request after that sync returned is not satisfied by it
            sync.after().get(30, TimeUnit.SECONDS);
            assertThat(sync.syncs()).isGreaterThan(first);
        }
    }

    @Test
    void requestsArrivingTogetherShareSyncs() throws Exception {
        try (MirrorSync sync = MirrorSync.openOn(root)) {
            List<CompletableFuture<Void>> waiting = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                Files.writeString(root.resolve("f" + i), "data " + i);
                waiting.add(sync.after());
            }
            CompletableFuture.allOf(waiting.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            assertThat(sync.syncs()).isBetween(1L, 200L);
        }
    }

    @Test
    void afterCloseNothingWaitsForever() throws Exception {
        MirrorSync sync = MirrorSync.openOn(root);
        assertThat(sync).isNotNull();
        sync.close();
        assertThatThrownBy(() -> sync.after().get(5, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void coversTheSetsOwnFileSystemOnly() throws Exception {
        Path sub = Files.createDirectories(root.resolve("a/b"));
        try (MirrorSync sync = MirrorSync.openOn(root)) {
            assertThat(sync.covers(root)).isTrue();
            assertThat(sync.covers(sub)).isTrue();
            assertThat(sync.covers(Path.of("/proc"))).as("another file system mounted elsewhere").isFalse();
            assertThat(sync.covers(root.resolve("missing"))).isFalse();
        }
    }

    @Test
    void aMissingRootGivesNoSyncer() {
        assertThat(MirrorSync.openOn(root.resolve("missing"))).isNull();
    }

    @Test
    void theDaemonSharesSyncsOnThisKernelAsTheTestsDo() {
        // CI's kernel is 5.8 or later: the group commit is what its multi-process tests exercise
        try (MirrorSync sync = MirrorSync.open(root)) {
            assertThat(sync).isNotNull();
        }
    }
}
