package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The last common sync of a set of a million files is written, read back and planned against two
 * scans of a million entries without holding them in memory: the heap still in use at checkpoints
 * (after a collection) stays far below what a million entries would take (about 200 MB).
 */
class MillionFilesTest {
    private static final int DIRS = 1000;
    private static final int PER_DIR = 1000;
    private static final long RETAINED_LIMIT = 48L << 20;

    @TempDir
    Path dir;

    /** d000, d000/f000000, ..., d999/f000999 in {@link PathOrder}; file 500500 differs when {@code changed}. */
    private static EntryIterator tree(boolean changed) {
        return new EntryIterator() {
            private int d;
            private int f = -1; // -1: the directory itself
            private FileEntry next = make();

            private FileEntry make() {
                if (d >= DIRS) {
                    return null;
                }
                String dirName = String.format("d%03d", d);
                if (f < 0) {
                    return FileEntry.dir(dirName, 0755);
                }
                int n = d * PER_DIR + f;
                long size = changed && n == 500_500 ? 2048 : 1024;
                return FileEntry.file(dirName + String.format("/f%06d", n), size, 1_700_000_000_000_000_000L + n, 0644,
                        "h" + n + "-" + size);
            }

            @Override
            public FileEntry peek() {
                return next;
            }

            @Override
            public FileEntry next() {
                FileEntry e = next;
                if (++f >= PER_DIR) {
                    f = -1;
                    d++;
                }
                next = make();
                return e;
            }
        };
    }

    private static long retainedHeap() {
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    @Test
    void aMillionFileManifestIsStreamedNotHeld() throws IOException {
        long baseline = retainedHeap();
        long[] peak = {0};
        ManifestStore store = new ManifestStore(dir);
        try (ManifestStore.Pending p = store.begin("big", null); EntryIterator t = tree(false)) {
            for (FileEntry e = t.next(); e != null; e = t.next()) {
                p.add(e);
                if (p.count() % 250_000 == 0) {
                    peak[0] = Math.max(peak[0], retainedHeap() - baseline);
                }
            }
            p.commit();
        }
        assertThat(store.load("big").count()).isEqualTo((long) DIRS * (PER_DIR + 1));

        long[] seen = {0};
        long[] replaces = {0};
        try (EntryIterator base = store.open("big"); EntryIterator source = tree(true); EntryIterator target = tree(false)) {
            Reconciler.Summary s = Reconciler.plan(base, source, target, Reconciler.Options.copy(), (action, b) -> {
                if (++seen[0] % 250_000 == 0) {
                    peak[0] = Math.max(peak[0], retainedHeap() - baseline);
                }
                if (action instanceof Action.Replace) {
                    replaces[0]++;
                }
            });
            assertThat(s.baseCount()).isEqualTo((long) DIRS * (PER_DIR + 1));
            assertThat(s.replaces()).isEqualTo(1);
        }
        assertThat(replaces[0]).isEqualTo(1);
        assertThat(peak[0]).as("heap retained while streaming a million entries").isLessThan(RETAINED_LIMIT);
    }
}
