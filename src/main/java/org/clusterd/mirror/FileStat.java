package org.clusterd.mirror;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One {@code lstat}: a path's type and metadata as a {@link FileEntry} without a hash. Never follows links. */
final class FileStat {
    /** The type comes from the mode's S_IFMT bits: fewer attributes make a smaller map per path. */
    private static final String ATTRS = "unix:mode,uid,gid,size,lastModifiedTime";
    private static final int S_IFMT = 0170000;
    private static final int S_IFDIR = 0040000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFLNK = 0120000;

    private FileStat() {}

    /** The entry for {@code p} named {@code rel}; null if it does not exist or is a special file. */
    static FileEntry stat(Path p, String rel) throws IOException {
        Map<String, Object> a;
        try {
            a = Files.readAttributes(p, ATTRS, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        int full = (Integer) a.get("mode");
        int type = full & S_IFMT;
        int mode = full & 07777;
        int uid = (Integer) a.get("uid");
        int gid = (Integer) a.get("gid");
        long mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.NANOSECONDS);
        if (type == S_IFLNK) {
            String target = Files.readSymbolicLink(p).toString();
            return new FileEntry(rel, EntryType.SYMLINK, 0, mtime, mode, uid, gid, target, null, -1, null);
        }
        if (type == S_IFDIR) {
            return new FileEntry(rel, EntryType.DIR, 0, 0, mode, uid, gid, null, null, -1, null);
        }
        if (type == S_IFREG) {
            return new FileEntry(rel, EntryType.FILE, (Long) a.get("size"), mtime, mode, uid, gid, null, null, -1, null);
        }
        return null;
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
