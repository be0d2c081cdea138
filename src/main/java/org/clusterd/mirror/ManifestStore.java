package org.clusterd.mirror;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last common sync of each mirror set, kept in the state directory as {@code NAME.manifest}
 * ({@link EntryFile} format). A new manifest is written to {@code NAME.manifest.tmp}, forced, renamed
 * over the old one and the directory forced, so a crash leaves either the old or the new one. A
 * missing or unreadable manifest reads as empty with {@link Loaded#lost()} set: then nothing is
 * deleted and every difference is a conflict.
 */
public final class ManifestStore {
    private static final Logger log = LoggerFactory.getLogger(ManifestStore.class);

    private final Path dir;

    public ManifestStore(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
    }

    public Path dir() {
        return dir;
    }

    Path file(String set) {
        return dir.resolve(set + ".manifest");
    }

    /**
     * The set's last common sync. {@code id} is "" when there is none.
     *
     * @param lost true when a manifest existed but could not be read
     */
    public record Loaded(String id, long count, boolean lost, String problem) {}

    /** Checks and describes the stored manifest without keeping it open. */
    public Loaded load(String set) {
        Path f = file(set);
        if (!Files.exists(f)) {
            return new Loaded("", 0, false, null);
        }
        try (EntryFile.Reader r = EntryFile.open(f)) {
            return new Loaded(r.id(), r.count(), false, null);
        } catch (IOException e) {
            log.warn("Manifest of mirror set {} is unreadable, treating it as empty (nothing will be deleted, "
                    + "every difference is a conflict): {}", set, e.getMessage());
            return new Loaded("", 0, true, e.getMessage());
        }
    }

    /** The entries of the last common sync; empty when there is none or it is unreadable. */
    public EntryIterator open(String set) {
        Path f = file(set);
        if (!Files.exists(f)) {
            return EntryIterator.empty();
        }
        try {
            return EntryFile.open(f);
        } catch (IOException e) {
            log.warn("Manifest of mirror set {} is unreadable, treating it as empty: {}", set, e.getMessage());
            return EntryIterator.empty();
        }
    }

    /**
     * The entries of the last common sync if it is the one named {@code id}, else null (another one,
     * none, or unreadable): one read of the file for both the check and the entries.
     */
    EntryFile.Reader openIf(String set, String id) {
        Path f = file(set);
        if (!Files.exists(f)) {
            return null;
        }
        try {
            EntryFile.Reader r = EntryFile.open(f);
            if (r.id().equals(id)) {
                return r;
            }
            r.close();
        } catch (IOException e) {
            log.debug("Manifest of mirror set {} is unreadable: {}", set, e.getMessage());
        }
        return null;
    }

    /** A new manifest being written; nothing changes until {@link Pending#commit()}. */
    public Pending begin(String set, String id) throws IOException {
        return new Pending(set, id == null ? UUID.randomUUID().toString() : id);
    }

    /** Forgets a set's last common sync (the next pass treats every difference as a conflict). */
    public void delete(String set) throws IOException {
        Files.deleteIfExists(file(set));
        Durable.syncDir(dir);
    }

    public final class Pending implements AutoCloseable {
        private final String set;
        private final String id;
        private final Path temp;
        private final EntryFile.Writer writer;
        private boolean committed;

        private Pending(String set, String id) throws IOException {
            this.set = set;
            this.id = id;
            this.temp = dir.resolve(set + ".manifest.tmp");
            this.writer = new EntryFile.Writer(temp, id);
        }

        public String id() {
            return id;
        }

        public void add(FileEntry e) throws IOException {
            writer.add(e.forManifest());
        }

        public long count() {
            return writer.count();
        }

        public void commit() throws IOException {
            complete();
            force();
            publish();
        }

        /** Completes the new manifest without forcing it, so that it can be read while {@link #force()} waits. */
        public void complete() throws IOException {
            writer.finish(false);
        }

        /** The completed manifest's checksum: the same entries and id give the same one on both nodes. */
        public int checksum() {
            return writer.checksum();
        }

        /** Forces the completed manifest to disk. */
        public void force() throws IOException {
            try (FileChannel ch = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
        }

        /** The completed new manifest, to read back (for the peer) before {@link #publish()}. */
        public Path sealedFile() {
            return temp;
        }

        /** Makes the sealed manifest the current one (atomic rename, directory forced). */
        public void publish() throws IOException {
            Durable.replace(temp, file(set));
            committed = true;
        }

        @Override
        public void close() throws IOException {
            if (!committed) {
                writer.close();
                Files.deleteIfExists(temp);
            }
        }
    }
}
