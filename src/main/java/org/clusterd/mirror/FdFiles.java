package org.clusterd.mirror;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * A mirrored file's data and metadata through its descriptor, and its name through its directory's
 * ({@link AtPath}): {@code openat}, {@code fstatx}, {@code fchown}, {@code futimens}, {@code renameat2}
 * instead of the JDK's path calls, each of which looked the path up again. Used for the files a full
 * copy moves by the ten thousand (the sender's reads, the receiver's small files); deltas, appends and
 * mbox spools keep the JDK's channels. Errors are the JDK's exception types with the same reasons, so
 * the rest of the mirror reports them as before. {@link #available()} false (not 64-bit Linux, no
 * {@code statx} in the C library): callers take the JDK's way.
 */
final class FdFiles {
    private static final int O_RDONLY = 0;
    private static final int O_WRONLY = 1;
    private static final int O_CREAT = 0100;
    private static final int O_EXCL = 0200;
    private static final int O_NONBLOCK = 04000;
    private static final int AT_EMPTY_PATH = 0x1000;
    private static final int STATX_BASIC_STATS = 0x7ff;
    private static final int STATX_BYTES = 256;
    private static final int EINTR = 4;
    private static final int O_TMPFILE = 020000000; // with O_DIRECTORY; the same on x86-64 and arm64
    private static final int AT_SYMLINK_FOLLOW = 0x400;
    private static final int F_GETFL = 3;
    private static final int F_SETFL = 4;
    private static final byte[] EMPTY = {0};

    private FdFiles() {}

    /** The calls (glibc 2.28 or later for {@code statx}), bound apart so a C library without one takes none of LibC's. */
    static final class Calls {
        private Calls() {}

        static native int openat(int dirfd, byte[] path, int flags, int mode) throws LastErrorException;

        // direct buffers, passed as their address: a byte[] would be copied into C memory and back on every call
        static native long write(int fd, ByteBuffer buf, long count) throws LastErrorException;

        static native long pread(int fd, ByteBuffer buf, long count, long offset) throws LastErrorException;

        static native long pwrite(int fd, ByteBuffer buf, long count, long offset) throws LastErrorException;

        static native int fcntl(int fd, int cmd, int arg) throws LastErrorException;

        static native int fchmod(int fd, int mode) throws LastErrorException;

        static native int fchown(int fd, int uid, int gid) throws LastErrorException;

        static native int futimens(int fd, long[] times) throws LastErrorException;

        static native int fsync(int fd) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native int statx(int dirfd, byte[] path, int flags, int mask, byte[] buf) throws LastErrorException;

        static native long flistxattr(int fd, byte[] list, long size) throws LastErrorException;

        static native int unlinkat(int dirfd, byte[] path, int flags) throws LastErrorException;

        static native int linkat(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags)
                throws LastErrorException;

        static native String strerror(int errnum);

        static final boolean BOUND = LibC.available() && LibC.noFollowFlag() != 0
                && LibC.register(Calls.class, "mirrored files are read and written through the JDK's path calls");
    }

    /** Whether the calls are bound here; callers must not use the others otherwise. */
    static boolean available() {
        return Calls.BOUND;
    }

    /** The descriptor of a new file {@code at} (mode 0600 until {@link #applyMeta}), which must not exist yet. */
    static int create(AtPath at) throws IOException {
        try {
            return Calls.openat(at.dirfd(), name(at), O_WRONLY | O_CREAT | O_EXCL | LibC.noFollowFlag() | LibC.O_CLOEXEC, 0600);
        } catch (LastErrorException e) {
            throw error(e, at);
        }
    }

    /**
     * The descriptor of a new file without a name in the directory of {@code target} ({@code
     * O_TMPFILE}), which {@link #link} names once it is whole; or minus the errno where it cannot be
     * made (a file system or kernel without it answers EOPNOTSUPP, EISDIR or EINVAL). Until it is
     * named it is in no directory at all: a crash leaves nothing for anyone to sweep, and no one can
     * open it, so it is made with its permission bits ({@code mode}'s, less the umask) at once.
     */
    static int createUnnamed(AtPath target, int mode) {
        boolean held = target.dirfd() != AtPath.CWD;
        java.nio.file.Path parent = target.path().getParent();
        if (!held && parent == null) {
            return -LibC.ENOENT;
        }
        try {
            return Calls.openat(target.dirfd(), LibC.cName(held ? "." : parent.toString()),
                    O_TMPFILE | LibC.directoryFlag() | O_WRONLY | LibC.O_CLOEXEC, mode & 0777);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    /**
     * Names the unnamed file {@code fd} as {@code target}, only if nothing is there: true if it did,
     * false if the name is taken. {@code linkat} with {@code AT_EMPTY_PATH}, which before Linux 6.10
     * only root may do; else the same through {@code /proc/self/fd/N}.
     */
    static boolean link(int fd, AtPath target) throws IOException {
        byte[] name = name(target);
        try {
            Calls.linkat(fd, EMPTY, target.dirfd(), name, AT_EMPTY_PATH);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EEXIST) {
                return false;
            }
            if (e.getErrorCode() != LibC.ENOENT && e.getErrorCode() != LibC.EPERM) {
                throw error(e, target);
            }
        }
        try {
            Calls.linkat(AtPath.CWD, LibC.cName(AnchoredDirs.PROC_FD + fd), target.dirfd(), name, AT_SYMLINK_FOLLOW);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.EEXIST) {
                return false;
            }
            throw error(e, target);
        }
    }

    /**
     * A descriptor to read the file {@code at}, or minus the errno where it cannot be opened (the
     * caller tells a missing file, {@link LibC#ENOENT}, from a symlink, {@link LibC#ELOOP}: this
     * never follows one). Never blocks on a FIFO put in the file's place.
     */
    static int openRead(AtPath at) {
        try {
            return Calls.openat(at.dirfd(), name(at), O_RDONLY | O_NONBLOCK | LibC.noFollowFlag() | LibC.O_CLOEXEC, 0);
        } catch (LastErrorException e) {
            return -e.getErrorCode();
        }
    }

    /**
     * Bytes a thread copies into C memory at a time for {@link #write} and {@link #writeNew}. Each
     * landing thread keeps one: 16 per receiving session, in a daemon run with -Xmx128m, whose direct
     * memory is bounded by the same figure.
     */
    static final int BUFFER = 256 << 10;
    private static final ThreadLocal<ByteBuffer> WRITE_BUFFER = ThreadLocal.withInitial(
            () -> ByteBuffer.allocateDirect(BUFFER + DirectWrite.ALIGN).alignedSlice(DirectWrite.ALIGN));

    /**
     * Whole blocks a new file needs before {@link #writeNew} sends them past the page cache. Each
     * direct write costs about as much CPU as copying 30-40 KiB into the cache (its I/O is submitted,
     * the device notified and waited for, where the cache's write-back batches many files): direct
     * writes of every file from 4 KiB up took as much CPU as the cached writes they replaced
     * (async-profiler, full copy of the benchmark's tree).
     */
    static final int DIRECT_FROM = 64 << 10;

    /**
     * Writes the whole content of the new, empty file {@code fd}, given in pieces: if it has at least
     * {@value #DIRECT_FROM} bytes of whole 4 KiB blocks, through {@link DirectWrite} (O_DIRECT set on
     * the descriptor while the whole blocks are written, 256 KiB at a time through this thread's
     * buffer; the last partial block, and everything after a failed direct write, cached); smaller
     * files all cached, as where the file system refuses O_DIRECT. Each write goes to its own offset
     * ({@code pwrite}): the descriptor's position stays at the start.
     */
    static void writeNew(int fd, java.util.List<byte[]> pieces, AtPath at) throws IOException {
        long size = 0;
        for (byte[] p : pieces) {
            size += p.length;
        }
        int flags = size / DirectWrite.ALIGN * DirectWrite.ALIGN >= DIRECT_FROM ? directOn(fd) : -1;
        if (flags < 0) {
            for (byte[] p : pieces) {
                write(fd, p, at);
            }
            return;
        }
        DirectWrite w = new DirectWrite(at.path().toString(), new DescriptorBlocks(fd, flags, at), WRITE_BUFFER.get());
        for (byte[] p : pieces) {
            w.write(p);
        }
        w.finish();
    }

    /** Sets O_DIRECT on {@code fd}: its flags before, or -1 where the file system refuses it. */
    private static int directOn(int fd) {
        if (LibC.directIoFlag() == 0) {
            return -1;
        }
        try {
            int flags = Calls.fcntl(fd, F_GETFL, 0);
            Calls.fcntl(fd, F_SETFL, flags | LibC.directIoFlag());
            return flags;
        } catch (LastErrorException e) {
            return -1; // EINVAL: not on this file system
        }
    }

    /** A new file's descriptor with O_DIRECT set, and its flags without it. */
    private record DescriptorBlocks(int fd, int flags, AtPath at) implements DirectWrite.Blocks {
        @Override
        public void direct(ByteBuffer blocks, long offset) throws IOException {
            pwriteFully(fd, blocks, offset, at);
        }

        @Override
        public void cached(ByteBuffer bytes, long offset) throws IOException {
            pwriteFully(fd, bytes, offset, at);
        }

        @Override
        public void endDirect() throws IOException {
            try {
                Calls.fcntl(fd, F_SETFL, flags);
            } catch (LastErrorException e) {
                throw error(e, at);
            }
        }
    }

    /** Writes what remains of the direct buffer {@code b} at {@code offset} in the file. */
    private static void pwriteFully(int fd, ByteBuffer b, long offset, AtPath at) throws IOException {
        long pos = offset;
        while (b.hasRemaining()) {
            try {
                // a short write only when the disk fills; the next one says why
                int n = (int) Calls.pwrite(fd, b.slice(), b.remaining(), pos);
                b.position(b.position() + n);
                pos += n;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw error(e, at);
                }
            }
        }
    }

    /** Writes all of {@code data} at the descriptor's position. */
    static void write(int fd, byte[] data, AtPath at) throws IOException {
        ByteBuffer buf = WRITE_BUFFER.get();
        for (int off = 0; off < data.length; ) {
            int len = Math.min(BUFFER, data.length - off);
            buf.clear();
            buf.put(data, off, len);
            int done = 0;
            while (done < len) {
                try {
                    // a short write only when the disk fills; the next one says why
                    done += (int) Calls.write(fd, buf.position(done), len - done);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != EINTR) {
                        throw error(e, at);
                    }
                }
            }
            off += len;
        }
    }

    /**
     * Up to {@code count} bytes at {@code offset} into the direct buffer {@code buf} from its start
     * (its position and limit are left as they are); -1 at the end of the file.
     */
    static int pread(int fd, ByteBuffer buf, int count, long offset, AtPath at) throws IOException {
        while (true) {
            try {
                long n = Calls.pread(fd, buf, Math.min(count, buf.capacity()), offset);
                return n == 0 ? -1 : (int) n;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != EINTR) {
                    throw error(e, at);
                }
            }
        }
    }

    /** The open file's entry (named {@code rel}) as {@link FileStat#stat} gives it, from one {@code statx} without a lookup. */
    static FileEntry stat(int fd, String rel, AtPath at) throws IOException {
        byte[] buf = new byte[STATX_BYTES];
        try {
            Calls.statx(fd, EMPTY, AT_EMPTY_PATH | LibC.AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, buf);
        } catch (LastErrorException e) {
            throw error(e, at);
        }
        return FileStat.entry(rel, statx(buf));
    }

    /** What a {@code struct statx} says, as far as the mirror uses it (the layout is the same on every architecture). */
    record Statx(int mode, int uid, int gid, long size, long mtimeNs) {
    }

    static Statx statx(byte[] raw) {
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.nativeOrder());
        return new Statx(b.getShort(28) & 0xffff, b.getInt(20), b.getInt(24), b.getLong(40),
                b.getLong(112) * 1_000_000_000L + (b.getInt(120) & 0xffffffffL));
    }

    /**
     * Sets what {@link Meta#apply} sets on the open file {@code fd}: owner (as root), mode, time. No
     * lookup at all, where the path calls looked the file up four times.
     */
    static void applyMeta(int fd, FileEntry e, AtPath at) throws IOException {
        byte[] buf = new byte[STATX_BYTES];
        try {
            Calls.statx(fd, EMPTY, AT_EMPTY_PATH, STATX_BASIC_STATS, buf);
            Statx now = statx(buf);
            boolean chowned = false;
            if (Meta.ROOT && (now.uid() != e.uid() || now.gid() != e.gid())) {
                Calls.fchown(fd, e.uid(), e.gid());
                chowned = true;
            }
            // after the owner: a chown clears setuid and setgid, even root's
            if (chowned || (now.mode() & 07777) != e.mode()) {
                Calls.fchmod(fd, e.mode());
            }
            Calls.futimens(fd, LibC.mtimeOnly(e.mtimeNs()));
        } catch (LastErrorException x) {
            throw error(x, at);
        }
    }

    /** Whether the open file may have user extended attributes: as {@link LibC#mayHaveUserXattrs}, by descriptor. */
    static boolean mayHaveUserXattrs(int fd) {
        return LibC.mayHaveUserXattrs((names, size) -> Calls.flistxattr(fd, names, size));
    }

    static void fsync(int fd, AtPath at) throws IOException {
        try {
            Calls.fsync(fd);
        } catch (LastErrorException e) {
            throw error(e, at);
        }
    }

    /** Closes {@code fd}; a failure (which on Linux still closes it) is reported, for a file just written. */
    static void close(int fd, AtPath at) throws IOException {
        try {
            Calls.close(fd);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != EINTR) {
                throw error(e, at);
            }
        }
    }

    /** Closes {@code fd} after a failure that is reported already. */
    static void closeQuietly(int fd) {
        try {
            Calls.close(fd);
        } catch (LastErrorException e) {
            // the descriptor is gone either way
        }
    }

    /** Removes the file {@code at}; false if it was not there. */
    static boolean unlink(AtPath at) throws IOException {
        try {
            Calls.unlinkat(at.dirfd(), name(at), 0);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == LibC.ENOENT) {
                return false;
            }
            throw error(e, at);
        }
    }

    private static byte[] name(AtPath at) {
        return LibC.cName(at.name());
    }

    /** The JDK's exception for {@code errno} on {@code at}, with the C library's text as the reason. */
    static IOException error(LastErrorException e, AtPath at) {
        return error(e.getErrorCode(), at.path().toString());
    }

    static IOException error(int errno, String file) {
        String reason;
        try {
            reason = Calls.strerror(errno);
        } catch (RuntimeException | LinkageError x) {
            reason = "errno " + errno;
        }
        return switch (errno) {
            case LibC.ENOENT -> new NoSuchFileException(file, null, reason);
            case LibC.EEXIST -> new FileAlreadyExistsException(file, null, reason);
            case LibC.EACCES, LibC.EPERM -> new AccessDeniedException(file, null, reason);
            default -> new FileSystemException(file, null, reason);
        };
    }
}
