package org.clusterd.mirror;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporary files ({@value Excludes#TEMP_PREFIX}*) that a receiving session leaves in a set when it
 * ends in the middle of a file: the owner vanished, or this node lost power. A flag in the state
 * directory marks a session as under way; a session that finds the flag of an earlier one (it died
 * with the node) sweeps the set first, and a session that ends early sweeps before it lets go of the
 * set. Scans skip temporary files, so without this they would pile up unseen (a half-sent 10 GB
 * file stays 5 GB of garbage). The sweep walks the set, which only happens after such an end.
 */
final class InterruptedSessions {
    private static final Logger log = LoggerFactory.getLogger(InterruptedSessions.class);

    private InterruptedSessions() {}

    private static Path flag(Path stateDir, String set) {
        return stateDir.resolve(set + ".receiving");
    }

    /** At the start of a receiving session (the set's lock held): sweeps after a dead one, raises the flag. */
    static void begin(Path stateDir, String set, Path root) throws IOException {
        Path flag = flag(stateDir, set);
        if (Files.exists(flag)) {
            sweep(set, root, "the node stopped during an earlier session");
        }
        // Not forced: the journal commits the flag's creation no later than that of any temporary
        // file made after it, and forcing a directory here would stall each pass behind writeback.
        Files.writeString(flag, "receiving\n");
    }

    /**
     * At daemon start, before any session: a flag left raised means this node stopped while receiving,
     * and the set may be served here before the peer sends anything again, so sweep it now.
     */
    static void afterRestart(Path stateDir, String set, Path root) {
        Path flag = flag(stateDir, set);
        if (!Files.exists(flag)) {
            return;
        }
        try {
            sweep(set, root, "the node stopped while receiving");
            Files.deleteIfExists(flag);
        } catch (IOException e) {
            log.warn("Mirror set {}: cannot clear temporary files left by the last run: {}", set, e.toString());
        }
    }

    /** At the end of a receiving session, once no file of it is being landed any more. */
    static void end(Path stateDir, String set, Path root, boolean completed) {
        try {
            if (!completed) {
                sweep(set, root, "the session ended early");
            }
            Files.deleteIfExists(flag(stateDir, set));
        } catch (IOException e) {
            // the flag stays, so the next session sweeps again
            log.warn("Mirror set {}: cannot clear temporary files after the session: {}", set, e.toString());
        }
    }

    /** Deletes every temporary file under {@code root} and the landing directories, never following symlinks. */
    static int sweep(String set, Path root, String why) throws IOException {
        if (!Files.isDirectory(root)) {
            return 0;
        }
        int[] removed = {0};
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (file.getFileName().toString().startsWith(Excludes.TEMP_PREFIX)) {
                    Files.deleteIfExists(file);
                    removed[0]++;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e == null && dir.getFileName().toString().startsWith(LandingDirs.PREFIX)) {
                    Files.deleteIfExists(dir); // emptied above
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                log.warn("Mirror set {}: cannot look at {} while sweeping temporary files: {}", set, file, e.toString());
                return FileVisitResult.CONTINUE;
            }
        });
        if (removed[0] > 0) {
            log.info("Mirror set {}: removed {} temporary file(s) left when {}", set, removed[0], why);
        }
        return removed[0];
    }
}
