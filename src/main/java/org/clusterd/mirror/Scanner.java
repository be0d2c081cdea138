package org.clusterd.mirror;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.io.File;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Walks a set's tree depth-first, each directory's children sorted by name, so entries come out in
 * {@link PathOrder} and go straight to a sink (a file) without the whole tree in memory. Symlinks are
 * recorded, never followed. A file's content is hashed only when its size or modification time
 * differs from the last common sync ({@code base}, read alongside in the same order), or always in
 * full-checksum mode; when a file grew, the hash of its old length is taken in the same read, so an
 * append is recognised for free. Unreadable directories and files are recorded as errors and the walk
 * goes on: the planner then deletes nothing.
 *
 * <p>A large file ({@link BlockSums#MIN_SIZE} and up) that grew is not hashed again from its start
 * when the {@link SumsStore} holds block sums of exactly the content the base records (same size and
 * hash): every block of its old part is read and compared with its checksum, and only the new bytes
 * are hashed, continuing the hash state kept with the sums. If any block differs (a mail client
 * rewrote the spool, whatever the new size) the file is hashed in full and no prefix is claimed, so
 * the planner never treats it as an append. Full-checksum mode never takes this shortcut. The checks
 * of grown files start before the walk, on a thread of their own ({@link EarlyChecks}).
 *
 * <p>With a {@link Differences}, the scan also reports, in order, each entry that differs from the
 * base's and each base path it did not meet (gone, also when a read error skipped it), reading the
 * base only once for both purposes.
 */
public final class Scanner {
    private static final Logger log = LoggerFactory.getLogger(Scanner.class);
    static final int MAX_ERRORS_KEPT = 20;

    /**
     * Where the scan's differences from the base go, in {@link PathOrder}: entries that differ from
     * the base's (or are not in it), and base paths the scan did not meet. The peer sends only these
     * ({@link Frames#SCAN_CHANGES}).
     */
    interface Differences {
        void changed(FileEntry scanned) throws IOException;

        void gone(String path) throws IOException;

        /** Each changed entry to {@code sink}; for streams of whole entries, which have no gone paths. */
        static Differences into(Sink sink) {
            return new Differences() {
                @Override
                public void changed(FileEntry scanned) throws IOException {
                    sink.accept(scanned);
                }

                @Override
                public void gone(String path) {
                    throw new IllegalStateException("a stream of whole entries has no gone paths");
                }
            };
        }

        /** Both, in turn. */
        static Differences both(Differences a, Differences b) {
            return new Differences() {
                @Override
                public void changed(FileEntry scanned) throws IOException {
                    a.changed(scanned);
                    b.changed(scanned);
                }

                @Override
                public void gone(String path) throws IOException {
                    a.gone(path);
                    b.gone(path);
                }
            };
        }
    }

    /** Takes differences and does nothing with them (a scan still counts them). */
    static final Differences IGNORE = new Differences() {
        @Override
        public void changed(FileEntry scanned) {
            // ignored
        }

        @Override
        public void gone(String path) {
            // ignored
        }
    };

    /** Where scanned entries go, in order. */
    @FunctionalInterface
    public interface Sink {
        void accept(FileEntry e) throws IOException;
    }

    /**
     * @param errors the first few read errors (all are counted in {@code errorCount})
     * @param markerPresent whether the set's root holds its marker file
     * @param differences paths that differ from the base (changed, new or gone); counted only when a
     *     {@link Differences} was given
     */
    public record Result(long entries, long files, long bytes, long hashedFiles, long hashedBytes, long errorCount,
                         List<String> errors, boolean markerPresent, long differences, long unhashed) {
        public boolean hadErrors() {
            return errorCount > 0;
        }
    }

    private final Path root;
    private final Excludes excludes;
    private final boolean fullChecksum;
    private final EntryIterator base;
    private final SumsStore sums;
    private final Differences diffs;
    private EarlyChecks early;
    private long differences;
    private final Sink sink;
    private long entries;
    private long files;
    private long bytes;
    private long hashedFiles;
    private long hashedBytes;
    private long errorCount;
    private boolean deferNew;
    private long unhashed;
    private final List<String> errors = new ArrayList<>();

    private Scanner(Path root, Excludes excludes, boolean fullChecksum, EntryIterator base, SumsStore sums,
                    Differences diffs, Sink sink) {
        this.diffs = diffs;
        this.root = root;
        this.excludes = excludes;
        this.fullChecksum = fullChecksum;
        this.base = base;
        this.sums = sums;
        this.sink = sink;
    }

    /**
     * Scans {@code root}.
     *
     * @throws IOException if the root itself is missing or not a directory, or the sink fails
     */
    public static Result scan(Path root, Excludes excludes, boolean fullChecksum, EntryIterator base, Sink sink)
            throws IOException {
        return scan(root, excludes, fullChecksum, base, null, null, sink);
    }

    /**
     * Scans {@code root}, using and renewing the block sums of large files in {@code sums} (null:
     * none; the caller commits the store after a complete scan), and reporting differences from the
     * base to {@code diffs} (null: none).
     *
     * @throws IOException if the root itself is missing or not a directory, or the sink fails
     */
    static Result scan(Path root, Excludes excludes, boolean fullChecksum, EntryIterator base, SumsStore sums,
                       Differences diffs, Sink sink) throws IOException {
        return scan(root, excludes, fullChecksum, base, sums, diffs, false, sink);
    }

    /**
     * {@link #scan(Path, Excludes, boolean, EntryIterator, SumsStore, Differences, Sink)}, leaving the
     * files the base does not hold unhashed when {@code deferNew} (and not in full-checksum mode):
     * the owner hashes a new file while it sends it, and before that only where the peer holds the
     * same path ({@link Result#unhashed()} counts them).
     */
    static Result scan(Path root, Excludes excludes, boolean fullChecksum, EntryIterator base, SumsStore sums,
                       Differences diffs, boolean deferNew, Sink sink) throws IOException {
        if (!Files.isDirectory(root, LinkOption.NOFOLLOW_LINKS)) {
            throw new IOException("mirror set root " + root + " is missing or not a directory");
        }
        Scanner s = new Scanner(root, excludes, fullChecksum, base, sums, diffs, sink);
        s.deferNew = deferNew && !fullChecksum;
        if (sums != null && !fullChecksum) {
            s.early = EarlyChecks.start(root, sums.file());
        }
        s.walk(root, "", 0, null);
        if (diffs != null) {
            for (FileEntry k = base.next(); k != null; k = base.next()) {
                s.gone(k.path());
            }
        }
        boolean marker = Files.isRegularFile(root.resolve(Excludes.MARKER), LinkOption.NOFOLLOW_LINKS);
        return new Result(s.entries, s.files, s.bytes, s.hashedFiles, s.hashedBytes, s.errorCount,
                List.copyOf(s.errors), marker, s.differences, s.unhashed);
    }

    private void error(String what) {
        errorCount++;
        if (errors.size() < MAX_ERRORS_KEPT) {
            errors.add(what);
        }
        log.warn("Scan of {}: {}", root, what);
    }

    /** Deeper than this, directories are walked by whole paths rather than each held open. */
    static final int MAX_OPEN_DEPTH = 64;

    /**
     * Walks {@code dir}. Each directory is held open while it is walked ({@link
     * SecureDirectoryStream}): its children are listed from that descriptor and looked up relative to
     * it, and a child directory is opened through it without following a link. Deeper than {@link
     * #MAX_OPEN_DEPTH}, or where the JDK has no such stream, by whole paths.
     */
    private void walk(Path dir, String rel, int depth, SecureDirectoryStream<Path> parent) throws IOException {
        boolean held = secure && depth < MAX_OPEN_DEPTH;
        SecureDirectoryStream<Path> open = held ? open(dir, rel, parent) : null;
        if (open == null && held && secure) {
            return; // why it cannot be read is recorded
        }
        try (SecureDirectoryStream<Path> ds = open) {
            String[] names = ds != null ? list(ds, rel) : list(dir, rel);
            if (names == null) {
                return;
            }
            Arrays.sort(names);
            for (String name : names) {
                String path = rel.isEmpty() ? name : rel + "/" + name;
                if (excludes.excludes(path, name)) {
                    continue;
                }
                Path p = dir.resolve(name);
                FileEntry e;
                try {
                    e = ds != null ? FileStat.stat(ds, p.getFileName(), p, path) : FileStat.stat(p, path);
                } catch (IOException | SecurityException ex) {
                    error("cannot stat " + path + ": " + ex);
                    continue;
                }
                if (e == null) {
                    log.debug("Scan of {}: skipping {} (vanished or a special file)", root, path);
                    continue;
                }
                FileEntry b = seekBase(path);
                if (e.isFile()) {
                    try {
                        e = hash(p, e, b);
                    } catch (IOException | SecurityException ex) {
                        error("cannot read " + path + ": " + ex);
                        if (b != null) {
                            gone(path); // not in this scan, as in a whole one
                        }
                        continue;
                    }
                    files++;
                    bytes += e.size();
                }
                sink.accept(e);
                if (diffs != null && !e.equals(b)) {
                    differences++;
                    diffs.changed(e);
                }
                entries++;
                if (e.isDir()) {
                    walk(p, path, depth + 1, ds);
                }
            }
        }
    }

    /**
     * {@code dir} held open (through {@code parent} when there is one), or null: after recording why
     * it cannot be read, or with {@link #secure} cleared when the JDK gives no secure stream.
     */
    private SecureDirectoryStream<Path> open(Path dir, String rel, SecureDirectoryStream<Path> parent) {
        try {
            if (parent != null) {
                return parent.newDirectoryStream(dir.getFileName(), LinkOption.NOFOLLOW_LINKS);
            }
            DirectoryStream<Path> ds = Files.newDirectoryStream(dir);
            if (ds instanceof SecureDirectoryStream<Path> opened) {
                return opened;
            }
            ds.close();
            secure = false;
            return null;
        } catch (IOException | SecurityException e) {
            unreadable(rel, e.toString());
            return null;
        }
    }

    private void unreadable(String rel, String why) {
        error("cannot read directory " + (rel.isEmpty() ? "." : rel) + ": " + why);
    }

    /** Whether directories are held open while walked; false where the JDK has no secure streams. */
    private boolean secure = true;

    /** The names in an open directory, or null after recording why they cannot be read. */
    private String[] list(SecureDirectoryStream<Path> ds, String rel) {
        List<String> names = new ArrayList<>();
        try {
            for (Path p : ds) {
                names.add(p.getFileName().toString());
            }
        } catch (java.nio.file.DirectoryIteratorException | SecurityException e) {
            unreadable(rel, e.toString());
            return null;
        }
        return names.toArray(new String[0]);
    }

    /** The base entry at {@code path}; with {@link Differences}, those skipped on the way are gone. */
    private FileEntry seekBase(String path) throws IOException {
        if (diffs == null) {
            return base.seek(path);
        }
        for (FileEntry k = base.peek(); k != null && PathOrder.compare(k.path(), path) < 0; k = base.peek()) {
            gone(base.next().path());
        }
        FileEntry k = base.peek();
        return k != null && k.path().equals(path) ? base.next() : null;
    }

    private void gone(String path) throws IOException {
        differences++;
        diffs.gone(path);
    }

    /**
     * The names in {@code dir}, or null after recording why it cannot be read. {@link File#list()}
     * reads a directory in one native call, where a directory stream makes a call and a path object
     * per name: a tenth of a no-change scan. It gives no reason for a failure; the stream is asked for
     * one then.
     */
    private String[] list(Path dir, String rel) {
        String[] names = dir.toFile().list();
        if (names != null) {
            return names;
        }
        String why = "not a directory or not readable";
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            ds.iterator().hasNext();
        } catch (IOException | SecurityException | java.nio.file.DirectoryIteratorException e) {
            why = e.toString();
        }
        unreadable(rel, why);
        return null;
    }

    private FileEntry hash(Path p, FileEntry e, FileEntry b) throws IOException {
        if (deferNew && b == null) {
            unhashed++;
            return e;
        }
        boolean known = b != null && b.hash() != null && e.sameSizeAndTime(b);
        BlockSums old = sums != null && e.size() >= BlockSums.MIN_SIZE ? sums.find(e.path()) : null;
        if (old != null && !old.describe(b)) {
            old = null;
        }
        if (known && !fullChecksum) {
            if (old != null) {
                sums.add(e.path(), old); // still the same content
            }
            return e.withHash(b.hash());
        }
        long prefix = b != null && b.isFile() && b.size() > 0 && b.size() < e.size() ? b.size() : -1;
        Hashing.FileHash h = null;
        if (old != null && prefix > 0 && !fullChecksum) {
            EarlyChecks.Outcome checked = early == null ? null : early.take(e, old);
            h = checked != null ? checked.hash() : Hashing.grown(p, old);
            if (h != null) {
                hashedBytes += h.size() - prefix;
            }
        }
        if (h == null) {
            h = Hashing.file(p, prefix);
            hashedBytes += h.size();
        }
        hashedFiles++;
        if (h.sums() != null && sums != null) {
            sums.add(e.path(), h.sums());
        }
        if (h.size() != e.size()) {
            // grew or shrank while we read it: record what we read; the size no longer matches the
            // time, so the next pass hashes it again
            e = new FileEntry(e.path(), e.type(), h.size(), e.mtimeNs(), e.mode(), e.uid(), e.gid(), null, null, -1, null);
        }
        FileEntry out = e.withHash(h.hash());
        return h.prefixHash() != null ? out.withPrefix(prefix, h.prefixHash()) : out;
    }
}
