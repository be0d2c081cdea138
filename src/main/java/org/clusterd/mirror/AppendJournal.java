package org.clusterd.mirror;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one file of a set that a receiving session appends to in place (a mail spool, a log): its path,
 * old length, time and mode, written and synced before the first new byte. If the append does not
 * finish (the owner vanished, this node died) the file is cut back to that length, so a spool never
 * ends in half a message that the next delivery would fuse with. Recovery runs when a session fails,
 * at the next session and at daemon start, before this node can serve the set.
 */
final class AppendJournal {
    private static final Logger log = LoggerFactory.getLogger(AppendJournal.class);

    private final Path file;
    private final String set;
    private final Path root;

    AppendJournal(Path stateDir, String set, Path root) {
        this.file = stateDir.resolve(set + ".append");
        this.set = set;
        this.root = root;
    }

    /** Before appending to {@code old}'s file: records what it was, durably. */
    void begin(FileEntry old) throws IOException {
        Files.writeString(file, old.path() + "\n" + old.size() + "\n" + old.mtimeNs() + "\n" + old.mode() + "\n",
                StandardCharsets.UTF_8);
        try (FileChannel c = FileChannel.open(file, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            c.force(true);
        }
        Durable.syncDir(file.getParent());
    }

    /** The append is complete and synced. */
    void clear() throws IOException {
        Files.deleteIfExists(file);
    }

    /** Cuts an interrupted append back to the recorded length and time; the journal is gone afterwards. */
    void recover() throws IOException {
        if (!Files.exists(file)) {
            return;
        }
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        try {
            if (lines.size() >= 4) {
                Path target = PathGuard.resolve(root, lines.get(0));
                long size = Long.parseLong(lines.get(1));
                if (Files.isRegularFile(target, LinkOption.NOFOLLOW_LINKS) && Files.size(target) > size) {
                    cut(target, FileEntry.file(lines.get(0), size, Long.parseLong(lines.get(2)),
                            Integer.parseInt(lines.get(3)), null).withOwner(
                            (Integer) Files.getAttribute(target, "unix:uid", LinkOption.NOFOLLOW_LINKS),
                            (Integer) Files.getAttribute(target, "unix:gid", LinkOption.NOFOLLOW_LINKS)));
                    log.warn("Undid an interrupted append to {} of set {}", lines.get(0), set);
                }
            }
        } catch (NumberFormatException | PathGuard.RefusedPath e) {
            log.warn("Ignoring a damaged append journal {}: {}", file, e.toString());
        } catch (java.nio.file.NoSuchFileException e) {
            log.info("Append journal {}: the file's directory is gone, nothing to undo", file);
        }
        Files.delete(file);
    }

    /** At daemon start: an error is logged, not thrown, so one damaged set does not stop the others. */
    void recoverAtStart() {
        try {
            recover();
        } catch (IOException e) {
            log.warn("Mirror set {}: cannot undo an interrupted append: {}", set, e.toString());
        }
    }

    /** Undoes an append that failed in this session: the file back to {@code old}, the journal cleared. */
    void undo(Path target, FileEntry old) throws IOException {
        cut(target, old);
        clear();
    }

    private static void cut(Path target, FileEntry old) throws IOException {
        try (FileChannel c = FileChannel.open(target, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            c.truncate(old.size());
            c.force(true);
        }
        Meta.apply(target, old);
    }
}
