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
    static final int EACCES = 13;
    private static final int AT_FDCWD = -100;
    static final int ENOENT = 2;
    static final int EPERM = 1;
    private static final int ENOTDIR = 20;
    private static final int ENOSYS = 38;
    static final int ELOOP = 40;
    private static final int O_PATH = 010000000;
    private static final long SYS_OPENAT2 = 437; // the same number on every architecture (Linux 5.6)
    private static final long RESOLVE_NO_SYMLINKS = 0x04;
    private static final long RESOLVE_BENEATH = 0x08;
    static final int AT_SYMLINK_NOFOLLOW = 0x100;
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

        /** {@code openat} without a mode (C's variadic fourth argument, used only with O_CREAT). */
        static native int openat(int dirfd, byte[] path, int flags) throws LastErrorException;

        static native long readlinkat(int dirfd, byte[] path, byte[] buf, long size) throws LastErrorException;

        /** {@code syscall(SYS_openat2, dirfd, path, &how, sizeof how)}: glibc has no wrapper for it. */
        static native long syscall(long number, int dirfd, byte[] path, byte[] how, long size) throws LastErrorException;
    }

    /**
     * {@code renameat2}, bound apart from {@link Calls}: glibc has it since 2.28, and a C library
     * without it must not take the other calls with it.
     */
    static final class RenameCalls {
        private RenameCalls() {}

        static native int renameat2(int olddirfd, byte[] oldpath, int newdirfd, byte[] newpath, int flags)
                throws LastErrorException;

        static final boolean BOUND = available()
                && register(RenameCalls.class, "a new file's target is looked at before its rename");
    }

    private static final int RENAME_NOREPLACE = 1;
    static final int EEXIST = 17;

    /** {@link #renameNoReplace(Path, Path)} between two files named in their open directories. */
    static NoReplace renameNoReplace(AtPath from, AtPath to) {
        if (!RenameCalls.BOUND) {
            return NoReplace.NOT_DONE;
        }
        try {
            RenameCalls.renameat2(from.dirfd(), cName(from.name()), to.dirfd(), cName(to.name()), RENAME_NOREPLACE);
            return NoReplace.MOVED;
        } catch (LastErrorException e) {
            return e.getErrorCode() == EEXIST ? NoReplace.EXISTS : NoReplace.NOT_DONE;
        }
    }

    /** What {@link #renameNoReplace} did. */
    enum NoReplace { MOVED, EXISTS, NOT_DONE }

    /**
     * Renames {@code from} to {@code to} only if nothing is at {@code to}, in one step: the check and
     * the rename cannot be separated by another program's create. {@code NOT_DONE} when it could not
     * (no such call, a file system without the flag, any other error): the caller then takes the
     * JDK's way, which reports the reason.
     */
    static NoReplace renameNoReplace(Path from, Path to) {
        if (!RenameCalls.BOUND) {
            return NoReplace.NOT_DONE;
        }
        try {
            RenameCalls.renameat2(AT_FDCWD, cPath(from), AT_FDCWD, cPath(to), RENAME_NOREPLACE);
            return NoReplace.MOVED;
        } catch (LastErrorException e) {
            return e.getErrorCode() == EEXIST ? NoReplace.EXISTS : NoReplace.NOT_DONE;
        }
    }

    private static final class Holder {
        static final boolean BOUND = bind();

        private static boolean bind() {
            if (!Platform.isLinux() || Native.LONG_SIZE != 8) {
                log.info("The C library's calls are used on 64-bit Linux only: the mirror uses the JDK's slower ways");
                return false;
            }
            return register(Calls.class, "the mirror uses the JDK's slower ways");
        }
    }

    /** Binds {@code calls}' native methods to the C library; false (and {@code otherwise} logged) if it cannot. */
    static boolean register(Class<?> calls, String otherwise) {
        try {
            Native.register(calls, "c");
            return true;
        } catch (RuntimeException | LinkageError e) {
            log.info("The C library cannot bind {} ({}): {}", calls.getSimpleName(), e.toString(), otherwise);
            return false;
        }
    }

    /** The JDK's encoding of file names, so a path here names the same bytes as the JDK's own calls. */
    private static final Charset NAMES = names();

    /** {@code O_DIRECTORY} here, or 0 where this architecture's is not known. */
    static int directoryFlag() {
        return ARCH_FLAGS == null ? 0 : ARCH_FLAGS[0];
    }

    /** {@code O_NOFOLLOW} here, or 0 where this architecture's is not known. */
    static int noFollowFlag() {
        return ARCH_FLAGS == null ? 0 : ARCH_FLAGS[1];
    }

    /** {@code O_DIRECT} here, or 0 where this architecture's is not known. */
    static int directIoFlag() {
        return ARCH_FLAGS == null ? 0 : ARCH_FLAGS[2];
    }

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
        return cName(p.toString());
    }

    /** A name or path as a NUL-terminated C string, in the JDK's encoding of file names. */
    static byte[] cName(String name) {
        byte[] s = name.getBytes(NAMES);
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
        try {
            return Calls.utimensat(AT_FDCWD, cPath(p), mtimeOnly(mtimeNs), AT_SYMLINK_NOFOLLOW) == 0;
        } catch (LastErrorException e) {
            return false;
        }
    }

    /** The two {@code struct timespec} of {@code utimensat}/{@code futimens} that set the modification time only. */
    static long[] mtimeOnly(long mtimeNs) {
        return new long[] {0, UTIME_OMIT, Math.floorDiv(mtimeNs, 1_000_000_000L), Math.floorMod(mtimeNs, 1_000_000_000L)};
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
        byte[] path = cPath(p);
        return mayHaveUserXattrs((names, size) -> Calls.llistxattr(path, names, size));
    }

    /** One file's {@code listxattr}: its attribute names into {@code names} ({@code null} and 0 ask the size). */
    @FunctionalInterface
    interface XattrList {
        long list(byte[] names, long size) throws LastErrorException;
    }

    /** {@link #mayHaveUserXattrs(Path)} with the listing call given (by path or by descriptor). */
    static boolean mayHaveUserXattrs(XattrList list) {
        try {
            long size = list.list(null, 0);
            if (size == 0) {
                return false;
            }
            if (size < 0 || size > Meta.MAX_XATTR_BYTES) {
                return true;
            }
            byte[] names = new byte[(int) size];
            long n = list.list(names, names.length);
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
            return Calls.open(p.toString(), O_RDWR | O_CLOEXEC | (ARCH_FLAGS == null ? 0 : ARCH_FLAGS[1])); // O_NOFOLLOW
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

    /** What {@link #openDirBeneath} found where it expected a directory. */
    enum DirProblem { SYMLINK, MISSING }

    /** {@link #openDirBeneath} could not open the directory for a reason of {@link DirProblem}. */
    static final class NotADirectory extends Exception {
        private static final long serialVersionUID = 1L;
        final DirProblem problem;

        NotADirectory(DirProblem problem) {
            super(problem.name(), null, false, false);
            this.problem = problem;
        }
    }

    /** O_DIRECTORY, O_NOFOLLOW and O_DIRECT differ between architectures; only x86-64's and arm64's are known here. */
    private static final int[] ARCH_FLAGS = archFlags();

    private static int[] archFlags() {
        String arch = System.getProperty("os.arch", "");
        if (arch.equals("amd64") || arch.equals("x86_64")) {
            return new int[] {0200000, 0400000, 040000};
        }
        if (arch.equals("aarch64")) {
            return new int[] {040000, 0100000, 0200000};
        }
        return null;
    }

    /** Whether {@link #openDirBeneath} can be used here. */
    static boolean canOpenDirs() {
        return available() && ARCH_FLAGS != null;
    }

    /** Set once openat2 answered that it is not there (an old kernel, or a seccomp filter): the walk then. */
    private static volatile boolean noOpenat2;

    /** An {@code O_PATH} descriptor of the directory {@code p} (followed as given: the set's root). */
    static int openDir(Path p) throws java.io.IOException {
        try {
            return Calls.openat(AT_FDCWD, cPath(p), O_PATH | ARCH_FLAGS[0] | O_CLOEXEC);
        } catch (LastErrorException e) {
            throw new java.io.IOException("cannot open " + p + ": errno " + e.getErrorCode());
        }
    }

    /**
     * An {@code O_PATH} descriptor of the directory {@code rel} under the open directory {@code dirfd},
     * reached without following any symlink and without leaving it: one {@code openat2} with {@code
     * RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH}, or where the kernel lacks it, one {@code openat} with
     * {@code O_NOFOLLOW} per component. {@code rel} must already be checked ({@link PathGuard#check}).
     */
    static int openDirBeneath(int dirfd, String rel) throws NotADirectory, java.io.IOException {
        if (!noOpenat2) {
            java.nio.ByteBuffer how = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.nativeOrder());
            how.putLong(0, O_PATH | ARCH_FLAGS[0] | O_CLOEXEC).putLong(16, RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH);
            byte[] path = cPath(Path.of(rel));
            for (int attempt = 0; ; attempt++) {
                try {
                    return (int) Calls.syscall(SYS_OPENAT2, dirfd, path, how.array(), 24);
                } catch (LastErrorException e) {
                    int errno = e.getErrorCode();
                    if (errno == ENOSYS || errno == EPERM) {
                        log.info("openat2 is not available (errno {}): directories are opened one component at a time", errno);
                        noOpenat2 = true;
                        break;
                    }
                    if (errno == EAGAIN && attempt < 3) {
                        continue; // a rename raced the lookup
                    }
                    throw failure(errno, rel);
                }
            }
        }
        return walk(dirfd, rel);
    }

    /** {@link #openDirBeneath} one component at a time. */
    static int walk(int dirfd, String rel) throws NotADirectory, java.io.IOException {
        int fd = dirfd;
        try {
            for (String part : rel.split("/")) {
                byte[] name = cPath(Path.of(part));
                int next;
                try {
                    next = Calls.openat(fd, name, O_PATH | ARCH_FLAGS[0] | ARCH_FLAGS[1] | O_CLOEXEC);
                } catch (LastErrorException e) {
                    if (e.getErrorCode() == ENOTDIR || e.getErrorCode() == ELOOP) {
                        throw new NotADirectory(isLink(fd, name) ? DirProblem.SYMLINK : DirProblem.MISSING);
                    }
                    throw failure(e.getErrorCode(), rel);
                }
                if (fd != dirfd) {
                    close(fd);
                }
                fd = next;
            }
            int result = fd;
            fd = dirfd;
            return result;
        } finally {
            if (fd != dirfd) {
                close(fd);
            }
        }
    }

    private static boolean isLink(int dirfd, byte[] name) {
        try {
            return Calls.readlinkat(dirfd, name, new byte[1], 1) >= 0;
        } catch (LastErrorException e) {
            return false;
        }
    }

    /** The problem an errno of a lookup names; other errors are thrown as they are. */
    private static NotADirectory failure(int errno, String rel) throws java.io.IOException {
        if (errno == ELOOP) {
            return new NotADirectory(DirProblem.SYMLINK);
        }
        if (errno == ENOENT || errno == ENOTDIR) {
            return new NotADirectory(DirProblem.MISSING);
        }
        throw new java.io.IOException("cannot open the directory " + rel + ": errno " + errno);
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
