package org.clusterd.mirror;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.PosixFileAttributeView;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * One {@code lstat}: a path's type and metadata as a {@link FileEntry} without a hash. Never follows links.
 *
 * <p>The public way to read the mode, uid and gid is the {@code "unix:"} attribute map, which parses
 * the attribute names and fills a map on every call: a third of a no-change pass's CPU besides the
 * system call itself. When {@code java.base} opens {@code sun.nio.fs} to us (the jar's manifest says
 * {@code Add-Opens}; tests pass {@code --add-opens}), the same {@code lstat} is read from the JDK's own
 * attribute object instead. Anything else (another JDK, no opening) falls back to the map, which gives
 * the same entries.
 */
final class FileStat {
    /** The type comes from the mode's S_IFMT bits: fewer attributes make a smaller map per path. */
    private static final String ATTRS = "unix:mode,uid,gid,size,lastModifiedTime";
    private static final UnixAttributes FAST = UnixAttributes.load();
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;

    private FileStat() {}

    /** The entry for {@code p} named {@code rel}; null if it does not exist or is a special file. */
    static FileEntry stat(Path p, String rel) throws IOException {
        if (FAST != null) {
            return FAST.stat(p, rel);
        }
        return statByMap(p, rel);
    }

    /**
     * The entry for {@code name} in the open directory {@code dir}, read with {@code fstatat} relative
     * to it: a path lookup of one component instead of the whole path (a sixth less system time in a
     * walk here). {@code p} is the same file's whole path, for a symlink's target and the fallback.
     */
    static FileEntry stat(SecureDirectoryStream<Path> dir, Path name, Path p, String rel) throws IOException {
        if (FAST == null) {
            return statByMap(p, rel);
        }
        PosixFileAttributes a;
        try {
            a = dir.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
        return FAST.read(a, p, rel);
    }

    /** {@link #stat} through the public attribute map. */
    static FileEntry statByMap(Path p, String rel) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, ATTRS, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        return entry(p, rel, (Integer) a.get("mode"), (Integer) a.get("uid"), (Integer) a.get("gid"), (Long) a.get("size"),
                ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS));
    }

    /** Whether {@link #stat} reads the JDK's attribute object rather than the map. */
    static boolean fast() {
        return FAST != null;
    }

    /** The entry of an open file, from its {@code statx} ({@link FdFiles#stat}); a symlink's target is not read. */
    static FileEntry entry(String rel, FdFiles.Statx x) throws IOException {
        return entry(null, rel, x.mode(), x.uid(), x.gid(), x.size(), x.mtimeNs());
    }

    private static FileEntry entry(Path p, String rel, int full, int uid, int gid, long size, long mtime) throws IOException {
        int type = full & S_IFMT;
        int mode = full & 07777;
        if (type == S_IFLNK) {
            String target = p == null ? null : Files.readSymbolicLink(p).toString();
            return new FileEntry(rel, EntryType.SYMLINK, 0, mtime, mode, uid, gid, target, null, -1, null);
        }
        if (type == S_IFDIR) {
            return new FileEntry(rel, EntryType.DIR, 0, 0, mode, uid, gid, null, null, -1, null);
        }
        if (type == S_IFREG) {
            return new FileEntry(rel, EntryType.FILE, size, mtime, mode, uid, gid, null, null, -1, null);
        }
        return null;
    }

    /** Reads mode, uid and gid from {@code sun.nio.fs.UnixFileAttributes}, what {@code PosixFileAttributes} is on Linux. */
    private static final class UnixAttributes {
        private final Class<?> type;
        private final MethodHandle mode;
        private final MethodHandle uid;
        private final MethodHandle gid;

        private UnixAttributes(Class<?> type, MethodHandle mode, MethodHandle uid, MethodHandle gid) {
            this.type = type;
            this.mode = mode;
            this.uid = uid;
            this.gid = gid;
        }

        /** Null unless the JDK's class and its accessors are there and opened to us. */
        static UnixAttributes load() {
            try {
                Class<?> c = Class.forName("sun.nio.fs.UnixFileAttributes");
                MethodHandles.Lookup l = MethodHandles.privateLookupIn(c, MethodHandles.lookup());
                MethodType intOf = MethodType.methodType(int.class);
                MethodType generic = MethodType.methodType(int.class, Object.class);
                return new UnixAttributes(c, l.findVirtual(c, "mode", intOf).asType(generic),
                        l.findVirtual(c, "uid", intOf).asType(generic), l.findVirtual(c, "gid", intOf).asType(generic));
            } catch (ReflectiveOperationException | RuntimeException e) {
                LoggerFactory.getLogger(FileStat.class).debug("Reading lstat through the attribute map: {}", e.toString());
                return null;
            }
        }

        FileEntry stat(Path p, String rel) throws IOException {
            PosixFileAttributes a;
            try {
                a = Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (NoSuchFileException e) {
                return null;
            }
            return read(a, p, rel);
        }

        FileEntry read(PosixFileAttributes a, Path p, String rel) throws IOException {
            if (!type.isInstance(a)) {
                return statByMap(p, rel);
            }
            try {
                return entry(p, rel, (int) mode.invokeExact((Object) a), (int) uid.invokeExact((Object) a),
                        (int) gid.invokeExact((Object) a), a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS));
            } catch (IOException | RuntimeException | Error e) {
                throw e;
            } catch (Throwable e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Whether what is on disk now is still what a scan saw (type, size, time; link target). */
    static boolean unchanged(FileEntry now, FileEntry scanned) {
        if (now == null || scanned == null) {
            return now == scanned;
        }
        if (now.type() != scanned.type()) {
            return false;
        }
        switch (now.type()) {
            case FILE:
                return now.size() == scanned.size() && now.mtimeNs() == scanned.mtimeNs();
            case SYMLINK:
                return java.util.Objects.equals(now.linkTarget(), scanned.linkTarget());
            default:
                return true;
        }
    }
}
