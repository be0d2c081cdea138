package org.clusterd.mirror;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A set's directories held open by descriptor, so that a file is created, renamed or removed in the
 * very directory that was checked, however its path is changed meanwhile. Checking a path with lstat
 * and then using it by name left a window: a local user who swapped a directory of the set for a
 * symlink between the check and the use could make the daemon (root) write wherever the link
 * pointed. Here a directory is opened once, beneath the set's root without following any symlink
 * ({@link LibC#openDirBeneath}), and the files in it are reached as {@code /proc/self/fd/N/NAME}:
 * the kernel takes {@code /proc/self/fd/N} to the open directory itself, not by its name, and every
 * Java file call works on such a path.
 *
 * <p>A directory stays open while anyone holds it ({@link Dir}'s count): a descriptor number must
 * never be closed and reused while a landing thread still works through it. At most {@value
 * #MAX_OPEN} are open at once: small files wait in memory to land, and a tree of one tiny file per
 * directory would otherwise hold a descriptor per file in flight (tens of thousands, beyond the
 * usual limit). Opening one more waits for a landing to let its directory go.
 */
final class AnchoredDirs {
    private static final Logger log = LoggerFactory.getLogger(AnchoredDirs.class);
    static final String PROC_FD = "/proc/self/fd/";
    private static final Pattern ANCHORED = Pattern.compile(Pattern.quote(PROC_FD) + "(\\d+)");

    static final int MAX_OPEN = 1024;
    static final long WAIT_MS = 60_000;

    private final Path root;
    private final int rootFd;
    private final int maxOpen;
    private final long waitMs;
    private final Map<Integer, Dir> open = new HashMap<>();
    private boolean closed;

    /** One open directory of the set. */
    static final class Dir {
        final int fd;
        final String rel;
        /** {@code /proc/self/fd/N}: the directory itself. */
        final Path path;
        private int holders = 1;

        private Dir(int fd, String rel) {
            this.fd = fd;
            this.rel = rel;
            this.path = Path.of(PROC_FD + fd);
        }
    }

    private AnchoredDirs(Path root, int rootFd, int maxOpen, long waitMs) {
        this.root = root;
        this.rootFd = rootFd;
        this.maxOpen = maxOpen;
        this.waitMs = waitMs;
    }

    /** The directories of the set at {@code root}, or null where they cannot be held this way. */
    static AnchoredDirs open(Path root) {
        return open(root, MAX_OPEN, WAIT_MS);
    }

    /** {@link #open(Path)} with another bound on open directories and on the wait for one. */
    static AnchoredDirs open(Path root, int maxOpen, long waitMs) {
        if (!LibC.canOpenDirs()) {
            return null;
        }
        int fd;
        try {
            fd = LibC.openDir(root);
        } catch (IOException | RuntimeException e) {
            log.debug("Paths under {} are checked by name: {}", root, e.toString());
            return null;
        }
        if (!Files.isDirectory(Path.of(PROC_FD + fd))) {
            log.info("/proc is not mounted: paths under {} are checked by name, not held open", root);
            LibC.close(fd);
            return null;
        }
        return new AnchoredDirs(root, fd, maxOpen, waitMs);
    }

    /**
     * Opens the directory {@code rel} (checked with {@link PathGuard#check}) for one holder.
     *
     * @throws PathGuard.RefusedPath if a component is a symlink
     * @throws NoSuchFileException if a component is missing or not a directory
     */
    synchronized Dir open(String rel) throws IOException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(waitMs);
        while (open.size() >= maxOpen && !closed) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new IOException(maxOpen + " directories of " + root + " held open for " + waitMs
                        + " ms: files are not landing");
            }
            try {
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("waiting to open " + rel);
            }
        }
        if (closed) {
            throw new IOException("the set's directories are closed"); // its descriptor may be another's now
        }
        int fd;
        try {
            fd = LibC.openDirBeneath(rootFd, rel);
        } catch (LibC.NotADirectory e) {
            if (e.problem == LibC.DirProblem.SYMLINK) {
                throw new PathGuard.RefusedPath("path " + rel + " leads through a symlink");
            }
            throw new NoSuchFileException(root.resolve(rel).toString(), null, "parent directory missing");
        }
        Dir d = new Dir(fd, rel);
        open.put(fd, d);
        return d;
    }

    /** One more holder of {@code d}, which must be held already. */
    synchronized void retain(Dir d) {
        if (d.holders <= 0) {
            throw new IllegalStateException("directory " + d.rel + " is closed");
        }
        d.holders++;
    }

    /** A holder lets {@code d} go; the last one closes it. */
    synchronized void release(Dir d) {
        if (--d.holders == 0) {
            open.remove(d.fd);
            LibC.close(d.fd);
            notifyAll();
        }
    }

    /** {@code text} with each {@code /proc/self/fd/N} of a directory open here shown as its path in the set. */
    synchronized String shown(String text) {
        if (text == null || !text.contains(PROC_FD)) {
            return text;
        }
        Matcher m = ANCHORED.matcher(text);
        StringBuilder b = new StringBuilder();
        while (m.find()) {
            Dir d = open.get(Integer.parseInt(m.group(1)));
            m.appendReplacement(b, Matcher.quoteReplacement(d == null ? m.group() : root.resolve(d.rel).toString()));
        }
        return m.appendTail(b).toString();
    }

    /** Closes the root; directories still held close when their last holder lets them go. */
    synchronized void close() {
        if (!closed) {
            closed = true;
            LibC.close(rootFd);
        }
    }

    /** Directories open now (for tests). */
    synchronized int openCount() {
        return open.size();
    }
}
