package org.clusterd.mirror;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for the files a session lands: one {@code syncfs(2)} of the set's file system makes
 * every file written before it durable, where an fsync per file flushes the disk's cache once per
 * file (50,000 new files spent 27 of a full copy's 30 s in fsyncs on the development machine). A file
 * whose data and metadata are written asks {@link #after()}; the returned future completes when a
 * sync that began after the request has returned, and only then is the file renamed into place, so a
 * crash still leaves the old file or the whole new one. Requests that arrive while a sync runs share
 * the next one.
 *
 * <p>Errors: {@code syncfs} reports write-back errors of the file system since our descriptor was
 * opened (Linux 5.8 and later; it is opened before the session writes anything). Older kernels
 * returned success regardless, so there {@link #open} gives null and files are forced one by one, as
 * they are for a directory on another file system mounted inside the set ({@link #covers}), and when
 * the C library cannot be reached.
 *
 * <p>The cost: a sync writes out all dirty data of that file system, also other programs'.
 */
final class MirrorSync implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MirrorSync.class);
    private final String name;
    private final int fd;
    private final Object dev;
    private final Map<Path, Boolean> sameFileSystem = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private CompletableFuture<Void> next = new CompletableFuture<>();
    /** Requests since the last sync began. */
    private int waiting;
    /** A sync waits this long for more requests after the first... */
    static final int GATHER_MS = 30;
    /** ...unless this many are waiting. */
    static final int GATHER_FILES = 1024;
    private boolean running;
    private boolean closed;
    private long syncs;
    private long syncNanos;

    private MirrorSync(String name, int fd, Object dev) {
        this.name = name;
        this.fd = fd;
        this.dev = dev;
    }

    /**
     * A syncer for the file system holding {@code root}, or null if files must be forced one by one
     * (no {@code syncfs} that reports errors here).
     */
    static MirrorSync open(Path root) {
        if (!kernelReportsSyncfsErrors(System.getProperty("os.name", ""), System.getProperty("os.version", ""))) {
            return null;
        }
        return openOn(root);
    }

    /** {@link #open} without the kernel check ({@code syncfs} itself is there since Linux 2.6.39). */
    static MirrorSync openOn(Path root) {
        if (!LibC.available()) {
            return null;
        }
        try {
            Object dev = Files.getAttribute(root, "unix:dev", LinkOption.NOFOLLOW_LINKS);
            int fd = LibC.Calls.open(root.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC);
            return new MirrorSync(root.toString(), fd, dev);
        } catch (IOException | RuntimeException e) {
            log.info("Forcing mirrored files under {} one by one: {}", root, e.toString());
            return null;
        }
    }

    /** Linux from 5.8 on: before, {@code syncfs} did not return write-back errors. */
    static boolean kernelReportsSyncfsErrors(String osName, String osVersion) {
        if (!osName.equals("Linux")) {
            return false;
        }
        String[] v = osVersion.split("[.-]", 3);
        try {
            int major = Integer.parseInt(v[0]);
            int minor = v.length > 1 ? Integer.parseInt(v[1]) : 0;
            return major > 5 || (major == 5 && minor >= 8);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Whether {@code dir} is on the file system this syncer syncs (not a mount inside the set). */
    boolean covers(Path dir) {
        return sameFileSystem.computeIfAbsent(dir, d -> {
            try {
                return dev.equals(Files.getAttribute(d, "unix:dev", LinkOption.NOFOLLOW_LINKS));
            } catch (IOException | RuntimeException e) {
                return false;
            }
        });
    }

    /**
     * Completes when a sync that began after this call has returned, exceptionally if it failed;
     * everything written before this call is then on disk.
     */
    CompletableFuture<Void> after() {
        synchronized (lock) {
            if (closed) {
                return CompletableFuture.failedFuture(new IOException("the session's syncer is closed"));
            }
            waiting++;
            if (waiting == 1 || waiting >= GATHER_FILES) {
                lock.notifyAll();
            }
            CompletableFuture<Void> f = next;
            if (!running) {
                running = true;
                Thread t = new Thread(this::syncWhileRequested, "mirror-sync");
                t.setDaemon(true);
                t.start();
            }
            return f;
        }
    }

    /** Syncs covered this far (for tests and logs). */
    long syncs() {
        synchronized (lock) {
            return syncs;
        }
    }

    /** The sync thread: one per session, from the first request until {@link #close()}. */
    private void syncWhileRequested() {
        while (true) {
            CompletableFuture<Void> batch;
            synchronized (lock) {
                while (waiting == 0 && !closed) {
                    try {
                        lock.wait();
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                // let a batch gather: a sync contends with the creation of the next files, and each
                // one costs a flush of the disk's cache however little it writes
                long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(GATHER_MS);
                while (!closed && waiting < GATHER_FILES) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    try {
                        TimeUnit.NANOSECONDS.timedWait(lock, left);
                    } catch (InterruptedException e) {
                        closed = true;
                    }
                }
                if (closed) {
                    running = false;
                    lock.notifyAll();
                    return;
                }
                waiting = 0;
                batch = next;
                next = new CompletableFuture<>();
            }
            try {
                long t0 = System.nanoTime();
                LibC.Calls.syncfs(fd);
                synchronized (lock) {
                    syncs++;
                    syncNanos += System.nanoTime() - t0;
                }
                batch.complete(null);
            } catch (RuntimeException e) {
                batch.completeExceptionally(new IOException("syncfs of the file system of " + name + " failed: " + e.getMessage(), e));
            }
        }
    }

    /** Waits for a running sync, fails what still waits, and closes the descriptor. */
    @Override
    public void close() {
        CompletableFuture<Void> orphan;
        synchronized (lock) {
            log.debug("{}: {} syncs in {} ms", name, syncs, syncNanos / 1_000_000);
            closed = true;
            lock.notifyAll();
            while (running) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            orphan = next;
        }
        orphan.completeExceptionally(new IOException("the session's syncer is closed"));
        try {
            LibC.Calls.close(fd);
        } catch (RuntimeException e) {
            log.debug("close of {}: {}", name, e.toString());
        }
    }
}
