package org.clusterd.mirror;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Directories of their own under a set's root ({@code .clusterd-tmp-landing-N}, one per landing
 * thread, at most {@value #COUNT}) where small files are created and forced before they are renamed
 * into place. Creating a file holds its directory's lock, and new files arrive directory by
 * directory, so the landing threads queued on one lock: 20,000 files of 20 KB took 333 us each with
 * 8 threads creating beside their targets, 171 us each through these. The rename into the target's
 * directory is as atomic as one within it (same file system: only used where the session's sync
 * covers the target's directory). Scans skip the directories (their names are temporary names); the
 * session removes them when it ends, a sweep after a crash empties them ({@link InterruptedSessions}).
 */
final class LandingDirs {
    private static final Logger log = LoggerFactory.getLogger(LandingDirs.class);
    static final int COUNT = 8;
    static final String PREFIX = Excludes.TEMP_PREFIX + "landing-";

    private final AtomicInteger threads = new AtomicInteger();
    private final ThreadLocal<Path> mine;
    private final Set<Path> made = ConcurrentHashMap.newKeySet();
    /** Each made directory as held open by the session's resolver, where it holds directories. */
    private final Map<Path, PathGuard.OpenDir> held = new ConcurrentHashMap<>();

    private final TempNames names;
    private final PathGuard.Resolver resolver;

    LandingDirs(Path root, TempNames names, PathGuard.Resolver resolver) {
        this.names = names;
        this.resolver = resolver;
        this.mine = ThreadLocal.withInitial(() -> root.resolve(PREFIX + threads.getAndIncrement() % COUNT));
    }

    /**
     * A new temporary path in this thread's landing directory, which is made when first used and
     * then held open ({@link PathGuard.Resolver#pin}), so that one swapped for a symlink is not followed.
     */
    AtPath temp() throws IOException {
        Path dir = mine.get();
        PathGuard.OpenDir open = held.get(dir);
        if (open == null) {
            if (!made.contains(dir)) {
                try {
                    Files.createDirectory(dir);
                } catch (FileAlreadyExistsException e) {
                    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
                        throw new IOException(dir + " exists and is not a directory", e);
                    }
                }
                made.add(dir);
            }
            open = resolver.pin(dir.getFileName().toString());
            held.put(dir, open);
        }
        return open.file(names.next());
    }

    /** Removes the directories once nothing is landed any more; one still holding a file stays for the sweep. */
    void close() {
        for (Path dir : made) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                log.debug("Landing directory {} stays: {}", dir, e.toString());
            }
        }
        made.clear();
    }
}
