package org.clusterd.mirror;

import java.util.Objects;

/**
 * One path of a mirror set as a scan saw it, or as the last common sync recorded it.
 *
 * @param path relative to the set's root, components separated by {@code /}, never empty
 * @param size bytes of a file, 0 otherwise
 * @param mtimeNs modification time, nanoseconds since the epoch
 * @param mode permission bits (07777)
 * @param linkTarget the target of a symlink as stored in the link, else null
 * @param hash the {@link ContentHash} of a file's content, null when not known
 * @param prefixLength length of the prefix whose hash is {@code prefixHash}, -1 when none: a scan
 *     computes it at the size the last common sync recorded, so an append is recognised without a
 *     second read
 */
public record FileEntry(String path, EntryType type, long size, long mtimeNs, int mode, int uid, int gid,
                        String linkTarget, String hash, long prefixLength, String prefixHash) {

    public FileEntry {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
    }

    public static FileEntry file(String path, long size, long mtimeNs, int mode, String hash) {
        return new FileEntry(path, EntryType.FILE, size, mtimeNs, mode, 0, 0, null, hash, -1, null);
    }

    public static FileEntry dir(String path, int mode) {
        return new FileEntry(path, EntryType.DIR, 0, 0, mode, 0, 0, null, null, -1, null);
    }

    public static FileEntry symlink(String path, String target) {
        return new FileEntry(path, EntryType.SYMLINK, 0, 0, 0777, 0, 0, target, null, -1, null);
    }

    public boolean isFile() {
        return type == EntryType.FILE;
    }

    public boolean isDir() {
        return type == EntryType.DIR;
    }

    public FileEntry withHash(String h) {
        return new FileEntry(path, type, size, mtimeNs, mode, uid, gid, linkTarget, h, prefixLength, prefixHash);
    }

    public FileEntry withPrefix(long length, String h) {
        return new FileEntry(path, type, size, mtimeNs, mode, uid, gid, linkTarget, hash, length, h);
    }

    public FileEntry withOwner(int u, int g) {
        return new FileEntry(path, type, size, mtimeNs, mode, u, g, linkTarget, hash, prefixLength, prefixHash);
    }

    public FileEntry withMtime(long ns) {
        return new FileEntry(path, type, size, ns, mode, uid, gid, linkTarget, hash, prefixLength, prefixHash);
    }

    /** Without the scan-only prefix hash: what the manifest records. */
    public FileEntry forManifest() {
        return prefixLength < 0 ? this : withPrefix(-1, null);
    }

    /** The last component of the path. */
    public String name() {
        int slash = path.lastIndexOf('/');
        return slash < 0 ? path : path.substring(slash + 1);
    }

    /** Whether size and modification time match: the quick check that content is unchanged. */
    public boolean sameSizeAndTime(FileEntry o) {
        return o != null && type == o.type && size == o.size && mtimeNs == o.mtimeNs;
    }

    /** Whether mode, owner and (for files) modification time match. */
    public boolean sameMeta(FileEntry o) {
        return mode == o.mode && uid == o.uid && gid == o.gid && (type != EntryType.FILE || mtimeNs == o.mtimeNs);
    }
}
