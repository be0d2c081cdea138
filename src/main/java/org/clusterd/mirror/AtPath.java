package org.clusterd.mirror;

import java.nio.file.Path;

/**
 * A file named in an open directory: the directory's descriptor and the file's name there, for the
 * C library's {@code *at} calls ({@link FdFiles}), and the same file's path for the JDK's calls and
 * for messages. A name looked up in a held descriptor costs one directory lookup; the same file's
 * path {@code /proc/self/fd/N/NAME} costs a walk through {@code /proc} on every call (a tenth of a
 * full copy's CPU went to those walks). Where no directory is held, {@link #CWD} and the whole path
 * stand for it, which the same calls take as well.
 */
record AtPath(int dirfd, String name, Path path) {
    /** {@code AT_FDCWD}: the name is a path, relative to the working directory or absolute. */
    static final int CWD = -100;

    /** {@code p} by its path alone. */
    static AtPath of(Path p) {
        return new AtPath(CWD, p.toString(), p);
    }

    /** The file {@code name} in the directory open as {@code dirfd} (or {@link #CWD}) whose path is {@code dir}. */
    static AtPath in(int dirfd, Path dir, String name) {
        return dirfd == CWD ? of(dir.resolve(name)) : new AtPath(dirfd, name, dir.resolve(name));
    }

    /** Another file in the same directory. */
    AtPath sibling(String other) {
        return dirfd == CWD ? of(path.resolveSibling(other)) : new AtPath(dirfd, other, path.resolveSibling(other));
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
