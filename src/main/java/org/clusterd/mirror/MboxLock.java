package org.clusterd.mirror;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The mail system's locks on an mbox spool, taken as mail programs do: the dotlock {@code NAME.lock}
 * (created exclusively; one older than {@value #STALE_SECONDS} s is stale and removed) and an fcntl
 * lock on the spool itself. Waits at most the given time for either. The fcntl lock is an open file
 * description lock where the C library is bound: a classic (process) lock, which the JDK's is, would
 * be dropped as soon as this process closed any other descriptor of the spool, as merging does.
 */
final class MboxLock implements AutoCloseable {
    static final long STALE_SECONDS = 300;
    private static final long RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

    private final Path dotlock;
    private final FileChannel channel;
    private final FileLock lock;
    /** The descriptor holding the open file description lock, or -1. */
    private final int lockFd;

    private MboxLock(Path dotlock, FileChannel channel, FileLock lock, int lockFd) {
        this.dotlock = dotlock;
        this.channel = channel;
        this.lock = lock;
        this.lockFd = lockFd;
    }

    static MboxLock acquire(Path spool, long timeoutMs) throws IOException {
        Path dotlock = spool.resolveSibling(spool.getFileName() + ".lock");
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            try {
                Files.createFile(dotlock);
                break;
            } catch (FileAlreadyExistsException e) {
                try {
                    long age = System.currentTimeMillis() - Files.getLastModifiedTime(dotlock).toMillis();
                    if (age > STALE_SECONDS * 1000) {
                        Files.deleteIfExists(dotlock);
                        continue;
                    }
                } catch (NoSuchFileException gone) {
                    continue;
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("mbox " + spool.getFileName() + " is locked by the mail system (" + dotlock + ")");
                }
                LockSupport.parkNanos(RETRY_NANOS);
            }
        }
        FileChannel ch = null;
        int fd = -1;
        try {
            if (!Files.exists(spool)) {
                return new MboxLock(dotlock, null, null, -1);
            }
            fd = LibC.openForLock(spool);
            if (fd >= 0) {
                while (!LibC.tryOfdWriteLock(fd)) {
                    if (System.nanoTime() > deadline) {
                        throw new IOException("mbox " + spool.getFileName() + " is locked (fcntl) by another process");
                    }
                    LockSupport.parkNanos(RETRY_NANOS);
                }
                return new MboxLock(dotlock, null, null, fd);
            }
            ch = FileChannel.open(spool, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
            while (true) {
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null;
                }
                if (l != null) {
                    return new MboxLock(dotlock, ch, l, -1);
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("mbox " + spool.getFileName() + " is locked (fcntl) by another process");
                }
                LockSupport.parkNanos(RETRY_NANOS);
            }
        } catch (IOException | RuntimeException e) {
            if (ch != null) {
                ch.close();
            }
            if (fd >= 0) {
                LibC.close(fd);
            }
            Files.deleteIfExists(dotlock);
            throw e;
        }
    }

    @Override
    public void close() throws IOException {
        try {
            if (lock != null) {
                lock.release();
            }
            if (channel != null) {
                channel.close();
            }
            if (lockFd >= 0) {
                LibC.close(lockFd);
            }
        } finally {
            Files.deleteIfExists(dotlock);
        }
    }
}
