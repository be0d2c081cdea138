package org.clusterd.mirror;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks the grown large files ({@link Hashing#grown}) on a thread of their own while the scan walks
 * the tree, so that reading a grown spool's old part overlaps with the {@code lstat}s of everything
 * else instead of following them. Only files whose stored {@link BlockSums} cover less than their
 * present size are checked; they are few (mail spools, logs).
 *
 * <p>A result is used only for the very file the scan then sees: the same size and modification time
 * before and after the check, and again when the walk reaches it, and block sums equal to the ones the
 * walk would use. Anything else and the walk hashes the file itself, as without this class.
 */
final class EarlyChecks {
    private static final Logger log = LoggerFactory.getLogger(EarlyChecks.class);

    /** A check's outcome: what the file looked like, the sums used and the hash (null: rewritten). */
    private record Early(FileEntry seen, BlockSums sums, Hashing.FileHash hash) {}

    private final Map<String, CompletableFuture<Early>> checks;

    private EarlyChecks(Map<String, CompletableFuture<Early>> checks) {
        this.checks = checks;
    }

    /** Starts checking the grown files of {@code root} that {@code storeFile} holds sums of. */
    static EarlyChecks start(Path root, Path storeFile) {
        Map<String, CompletableFuture<Early>> checks = new LinkedHashMap<>();
        Map<String, BlockSums> grown = new LinkedHashMap<>();
        try {
            SumsStore.forEach(storeFile, (path, sums) -> {
                Path p = PathGuard.resolveOrNull(root, path);
                FileEntry now = p == null ? null : FileStat.stat(p, path);
                if (now != null && now.isFile() && now.size() > sums.size()) {
                    grown.put(path, sums);
                    checks.put(path, new CompletableFuture<>());
                }
            });
        } catch (IOException | RuntimeException e) {
            log.debug("No early checks for {}: {}", root, e.toString());
            return new EarlyChecks(Map.of());
        }
        if (!grown.isEmpty()) {
            Thread t = new Thread(() -> run(root, grown, checks), "mirror-early-check");
            t.setDaemon(true);
            t.start();
        }
        return new EarlyChecks(checks);
    }

    private static void run(Path root, Map<String, BlockSums> grown, Map<String, CompletableFuture<Early>> checks) {
        for (Map.Entry<String, BlockSums> g : grown.entrySet()) {
            String path = g.getKey();
            Early early = null;
            try {
                Path p = PathGuard.resolveOrNull(root, path);
                FileEntry before = p == null ? null : FileStat.stat(p, path);
                if (before != null && before.isFile()) {
                    Hashing.FileHash h = Hashing.grown(p, g.getValue());
                    FileEntry after = FileStat.stat(p, path);
                    if (FileStat.unchanged(after, before) && (h == null || h.size() == before.size())) {
                        early = new Early(before, g.getValue(), h);
                    }
                }
            } catch (IOException | RuntimeException e) {
                log.debug("Early check of {} failed, the walk reads it: {}", path, e.toString());
            }
            checks.get(path).complete(early);
        }
    }

    /**
     * The outcome of the early check of {@code e} with {@code sums}, waiting for it if it is under way:
     * null when there was none or it does not apply (then the caller checks the file itself); else a
     * holder whose hash is null when the old part differs.
     */
    Outcome take(FileEntry e, BlockSums sums) {
        CompletableFuture<Early> f = checks.get(e.path());
        if (f == null) {
            return null;
        }
        Early early = f.join();
        if (early == null || !FileStat.unchanged(e, early.seen()) || !same(early.sums(), sums)) {
            return null;
        }
        return new Outcome(early.hash());
    }

    /** An applicable early check; {@code hash} null means the old part differs. */
    record Outcome(Hashing.FileHash hash) {}

    private static boolean same(BlockSums a, BlockSums b) {
        return a.size() == b.size() && Arrays.equals(a.hashState(), b.hashState()) && Arrays.equals(a.blocks(), b.blocks());
    }
}
