package org.clusterd.mirror;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Carrying metadata: mode, owner (only as root), modification time (to the nanosecond the file system
 * keeps) and user extended attributes ({@code user.*}). Not carried: POSIX ACLs, {@code security.*}
 * and {@code trusted.*} attributes (such as Samba's {@code security.NTACL}), file flags, atime.
 */
final class Meta {
    static final int MAX_XATTR_BYTES = 64 * 1024;
    static final boolean ROOT = "root".equals(System.getProperty("user.name"));

    private Meta() {}

    /**
     * Sets mode, owner and time on {@code p} as in {@code e}; owners only when running as root. Mode
     * and owner are set only where they differ: one lstat instead of three calls for most new files.
     */
    static void apply(Path p, FileEntry e) throws IOException {
        FileEntry now = FileStat.stat(p, e.path());
        boolean chowned = false;
        if (ROOT && (now == null || now.uid() != e.uid())) {
            Files.setAttribute(p, "unix:uid", e.uid(), LinkOption.NOFOLLOW_LINKS);
            chowned = true;
        }
        if (ROOT && (now == null || now.gid() != e.gid())) {
            Files.setAttribute(p, "unix:gid", e.gid(), LinkOption.NOFOLLOW_LINKS);
            chowned = true;
        }
        // after the owner: a chown clears setuid and setgid, even root's
        if (e.type() != EntryType.SYMLINK && (chowned || now == null || now.mode() != e.mode())) {
            Files.setAttribute(p, "unix:mode", e.mode());
        }
        if (e.type() == EntryType.FILE && !LibC.setMtime(p, e.mtimeNs())) {
            Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(FileTime.from(e.mtimeNs(), TimeUnit.NANOSECONDS), null, null);
        }
    }

    /** A file's user extended attributes; empty where the file system has none. */
    static Map<String, byte[]> readXattrs(Path p) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (!LibC.mayHaveUserXattrs(p)) {
            return out;
        }
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        if (v == null) {
            return out;
        }
        try {
            int total = 0;
            for (String name : v.list()) {
                int size = v.size(name);
                total += size + name.length();
                if (total > MAX_XATTR_BYTES) {
                    break;
                }
                ByteBuffer b = ByteBuffer.allocate(size);
                v.read(name, b);
                out.put(name, b.array());
            }
        } catch (IOException | UnsupportedOperationException e) {
            return out;
        }
        return out;
    }

    static void writeXattrs(Path p, Map<String, byte[]> attrs) {
        if (attrs.isEmpty()) {
            return;
        }
        UserDefinedFileAttributeView v = Files.getFileAttributeView(p, UserDefinedFileAttributeView.class);
        if (v == null) {
            return;
        }
        for (Map.Entry<String, byte[]> a : attrs.entrySet()) {
            try {
                v.write(a.getKey(), ByteBuffer.wrap(a.getValue()));
            } catch (IOException | UnsupportedOperationException e) {
                return;
            }
        }
    }
}
