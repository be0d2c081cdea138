package org.clusterd.mirror;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A set's last outcome, kept in the state directory ({@code SET.status}) so that a restarted daemon
 * reports how old the mirrored data is instead of "never": a lag that restarted at -1 would read as
 * fine to a monitoring check while the mirror is broken. Written whole (temporary file, rename), and
 * not synced: it is a report, written after every pass, and a crash loses at most the latest one.
 */
final class SetStatusFile {
    private static final Logger log = LoggerFactory.getLogger(SetStatusFile.class);

    /** What is kept; times in milliseconds since the epoch, -1 for never. */
    record Saved(String lastResult, long lastSuccess, long lastSuccessDataTime, long conflicts, long filesMoved,
                 long bytesMoved) {}

    private final Path file;

    SetStatusFile(Path stateDir, String set) {
        this.file = stateDir.resolve(set + ".status");
    }

    /** The saved status, or null when there is none or it cannot be read (logged). */
    Saved load() {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
            return new Saved(p.getProperty("lastResult", "NEVER"), number(p, "lastSuccess"),
                    number(p, "lastSuccessDataTime"), number(p, "conflicts"), number(p, "filesMoved"),
                    number(p, "bytesMoved"));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | IllegalArgumentException e) {
            log.warn("Ignoring the unreadable mirror status {}: {}", file, e.toString());
            return null;
        }
    }

    private static long number(Properties p, String key) {
        String v = p.getProperty(key);
        if (v == null) {
            throw new IllegalArgumentException("no " + key);
        }
        return Long.parseLong(v.strip());
    }

    /** Replaces the saved status; a failure is logged, since the status is a report, not data. */
    void save(Saved s) {
        Properties p = new Properties();
        p.setProperty("lastResult", s.lastResult());
        p.setProperty("lastSuccess", Long.toString(s.lastSuccess()));
        p.setProperty("lastSuccessDataTime", Long.toString(s.lastSuccessDataTime()));
        p.setProperty("conflicts", Long.toString(s.conflicts()));
        p.setProperty("filesMoved", Long.toString(s.filesMoved()));
        p.setProperty("bytesMoved", Long.toString(s.bytesMoved()));
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        try {
            try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                p.store(w, "clusterd mirror set status");
            }
            Files.move(temp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            log.warn("Cannot save the mirror status {}: {}", file, e.toString());
        }
    }
}
