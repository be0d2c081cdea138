package org.clusterd.mirror;

import com.sun.jna.LastErrorException;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import java.nio.charset.Charset;
import java.nio.file.Path;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The few C library calls the mirror makes where Java has none ({@code syncfs}) or needs several
 * ({@code utimensat}, {@code llistxattr}), through JNA. Everything here is optional: where the library
 * cannot be loaded (not Linux, not 64-bit, no JNA), {@link #available()} is false and callers use the
 * JDK's way.
 */
final class LibC {
    private static final Logger log = LoggerFactory.getLogger(LibC.class);
    static final int O_RDONLY = 0;
    static final int O_CLOEXEC = 02000000; // the same on x86-64 and arm64
    static final int O_RDWR = 2;
    private static final int F_OFD_SETLK = 37;
    private static final short F_WRLCK = 1;
    private static final int EAGAIN = 11;
    private static final int EACCES = 13;
    private static final int AT_FDCWD = -100;
    private static final int AT_SYMLINK_NOFOLLOW = 0x100;
    /** {@code tv_nsec} that leaves a time as it is. */
    private static final long UTIME_OMIT = (1L << 30) - 2;

    /**
     * The calls, bound by JNA's direct mapping (a native method per call, without the reflection of
     * an interface proxy); a {@code long} is C's {@code long}, {@code size_t} and {@code time_t} on
     * 64-bit Linux only.
     */
    static final class Calls {
        private Calls() {}

        static native int open(String path, int flags) throws LastErrorException;

        static native int syncfs(int fd) throws LastErrorException;

        static native int close(int fd) throws LastErrorException;

        static native int utimensat(int dirfd, byte[] path, long[] times, int flags) throws LastErrorException;

        static native long llistxattr(byte[] path, byte[] list, long size) throws LastErrorException;

        /** {@code fcntl} with a {@code struct flock} (C's variadic third argument, a pointer here). */
        static native int fcntl(int fd, int cmd, byte[] flock) throws LastErrorException;
    }

    private static final class Holder {
        static final boolean BOUND = bind();

        private static boolean bind() {
            if (!Platform.isLinux() || Native.LONG_SIZE != 8) {
                log.info("The C library's calls are used on 64-bit Linux only: the mirror uses the JDK's slower ways");
                return false;
            }
            try {
                Native.register(Calls.class, "c");
                return true;
            } catch (RuntimeException | LinkageError e) {
                log.info("The C library cannot be loaded ({}): the mirror uses the JDK's slower ways", e.toString());
                return false;
            }
        }
    }

    /** The JDK's encoding of file names, so a path here names the same bytes as the JDK's own calls. */
    private static final Charset NAMES = names();

    private LibC() {}

    private static Charset names() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    /** Whether {@link Calls} are bound; they must not be called otherwise. */
    static boolean available() {
        return Holder.BOUND;
    }

    /** {@code p} as a NUL-terminated C string. */
    static byte[] cPath(Path p) {
        byte[] s = p.toString().getBytes(NAMES);
        return Arrays.copyOf(s, s.length + 1);
    }

    /**
     * Sets the modification time of {@code p} (not following a link) and leaves its access time: one
     * {@code utimensat} where the JDK's {@code setTimes} makes four calls (an lstat for the access time
     * it is not given, open, {@code futimens}, close). False if it could not: the caller then uses the
     * JDK's way, which reports the reason.
     */
    static boolean setMtime(Path p, long mtimeNs) {
        if (!available()) {
            return false;
        }
        long[] times = {0, UTIME_OMIT, Math.floorDiv(mtimeNs, 1_000_000_000L), Math.floorMod(mtimeNs, 1_000_000_000L)};
        try {
            return Calls.utimensat(AT_FDCWD, cPath(p), times, AT_SYMLINK_NOFOLLOW) == 0;
        } catch (LastErrorException e) {
            return false;
        }
    }

    /**
     * Whether {@code p} may have user extended attributes ({@code user.*}, the ones the mirror carries):
     * false only when {@code llistxattr} listed the file's attributes and none is a user one, as for
     * most files; true when it did not answer, so the caller reads them the JDK's way (an open, a
     * {@code flistxattr} and a close per file).
     */
    static boolean mayHaveUserXattrs(Path p) {
        if (!available()) {
            return true;
        }
        try {
            byte[] path = cPath(p);
            long size = Calls.llistxattr(path, null, 0);
            if (size == 0) {
                return false;
            }
            if (size < 0 || size > Meta.MAX_XATTR_BYTES) {
                return true;
            }
            byte[] names = new byte[(int) size];
            long n = Calls.llistxattr(path, names, names.length);
            return n < 0 || hasUserName(names, (int) Math.min(n, names.length));
        } catch (LastErrorException e) {
            return true; // ERANGE if names were added meanwhile, ENOTSUP: the JDK's way decides
        }
    }

    /**
     * Opens {@code p} for an open-file-description lock ({@link #tryOfdWriteLock}); -1 where the calls
     * are not bound or it cannot be opened this way (the caller then uses the JDK's lock).
     */
    static int openForLock(Path p) {
        if (!available()) {
            return -1;
        }
        try {
            return Calls.open(p.toString(), O_RDWR | O_CLOEXEC);
        } catch (LastErrorException e) {
            return -1;
        }
    }

    /**
     * A write lock on the whole file of {@code fd} as an open file description lock: it conflicts
     * with the fcntl locks of mail programs like the classic one, but belongs to this descriptor, so
     * closing another descriptor of the same file in this process (the JDK's locks are lost that way)
     * leaves it held. True if taken, false if another holds a lock on the file.
     */
    static boolean tryOfdWriteLock(int fd) throws java.io.IOException {
        java.nio.ByteBuffer flock = java.nio.ByteBuffer.allocate(32).order(java.nio.ByteOrder.nativeOrder());
        flock.putShort(0, F_WRLCK); // l_whence SEEK_SET, l_start 0, l_len 0 (to the end, growing), l_pid 0
        try {
            Calls.fcntl(fd, F_OFD_SETLK, flock.array());
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == EAGAIN || e.getErrorCode() == EACCES) {
                return false;
            }
            throw new java.io.IOException("fcntl lock failed: errno " + e.getErrorCode());
        }
    }

    /** Closes a descriptor of {@link #openForLock}, which releases its lock. */
    static void close(int fd) {
        try {
            Calls.close(fd);
        } catch (LastErrorException e) {
            log.debug("close({}) failed: errno {}", fd, e.getErrorCode());
        }
    }

    private static final byte[] USER = {'u', 's', 'e', 'r', '.'};

    /** Whether the NUL-separated names in {@code list[0..n)} include one starting with "user.". */
    static boolean hasUserName(byte[] list, int n) {
        for (int start = 0; start < n; ) {
            int end = start;
            while (end < n && list[end] != 0) {
                end++;
            }
            if (end - start >= USER.length && Arrays.equals(list, start, start + USER.length, USER, 0, USER.length)) {
                return true;
            }
            start = end + 1;
        }
        return false;
    }
}
