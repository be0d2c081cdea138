package org.clusterd.mirror;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.Semaphore;
import org.slf4j.LoggerFactory;

/**
 * A received file's new content on its way to land ({@link Receiver}): written, given its metadata,
 * made durable, then put at its target. Three kinds:
 * <ul>
 * <li>{@link Unnamed}: a new file without a name in the target's own directory, named by one
 * {@code linkat} once durable; for a file where nothing was (most of a full copy). Nothing is
 * created, renamed or removed in any other directory, and there is no temporary name to sweep.</li>
 * <li>{@link Fd}: a temporary file by name, through its descriptor ({@link FdFiles}).</li>
 * <li>{@link Channel}: a temporary file through the JDK's channel (large files, which the write-behind
 * thread writes, and wherever the C library's calls are not there).</li>
 * </ul>
 */
sealed interface LandingFile permits LandingFile.Unnamed, LandingFile.Fd, LandingFile.Channel {

    /** Creates the temporary file {@code at}, which must not exist yet. */
    static LandingFile create(AtPath at) throws IOException {
        if (FdFiles.available()) {
            return new Fd(FdFiles.create(at), at);
        }
        return new Channel(FileChannel.open(at.path(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), at);
    }

    /**
     * An unnamed new file in the directory of {@code target} (made with {@code mode}'s permission
     * bits, so most need no chmod later), holding one of {@code open}'s permits
     * until it lands or is discarded; null where none is free, or where the file system cannot make
     * one (then {@code unsupported} is set, so the caller stops asking).
     */
    static LandingFile unnamed(AtPath target, int mode, Semaphore open, java.util.concurrent.atomic.AtomicBoolean unsupported) {
        if (!FdFiles.available() || unsupported.get() || !open.tryAcquire()) {
            return null;
        }
        int fd = FdFiles.createUnnamed(target, mode);
        if (fd < 0) {
            open.release();
            if (fd == -95 || fd == -21 || fd == -22) { // EOPNOTSUPP, EISDIR, EINVAL: not on this file system or kernel
                unsupported.set(true);
                LoggerFactory.getLogger(LandingFile.class).info("Files under {} land through temporary names: no O_TMPFILE there ({})",
                        target.path().getParent(), FdFiles.error(-fd, String.valueOf(target.path().getParent())).getMessage());
            }
            return null;
        }
        return new Unnamed(fd, target, open);
    }

    void write(byte[] data) throws IOException;

    /** Writes the whole content of the file, new and still empty, given in pieces. */
    default void writeNew(java.util.List<byte[]> pieces) throws IOException {
        for (byte[] p : pieces) {
            write(p);
        }
    }

    /** Owner, mode and time as in {@code e} ({@link Meta#apply}). */
    void applyMeta(FileEntry e) throws IOException;

    /** Where its user extended attributes are written. */
    Path attributes();

    void force() throws IOException;

    /** Done writing: a named file is closed; an unnamed one stays open until it is named. */
    void written() throws IOException;

    /** The temporary name, null for {@link Unnamed}. */
    AtPath temp();

    /**
     * Puts the file at {@code target}, only if nothing is there: MOVED, EXISTS, or NOT_DONE (a named
     * file, when the call was not possible: the caller then takes the JDK's way, which says why).
     */
    LibC.NoReplace landOnNothing(AtPath target) throws IOException;

    /**
     * Lets go of the file without landing it (after a failure or a change): an unnamed one is gone
     * with it; a named one's temporary file is the caller's to remove ({@link #temp()}).
     */
    void abandon();

    /** Not named until it is whole and durable; see {@link FdFiles#createUnnamed}. */
    final class Unnamed implements LandingFile {
        private final int fd;
        /** Where it is to land: what its errors name, as it has no name of its own. */
        private final AtPath target;
        private final Semaphore open;
        private boolean closed;

        private Unnamed(int fd, AtPath target, Semaphore open) {
            this.fd = fd;
            this.target = target;
            this.open = open;
        }

        private AtPath self() {
            return target;
        }

        @Override
        public void write(byte[] data) throws IOException {
            FdFiles.write(fd, data, self());
        }

        @Override
        public void writeNew(java.util.List<byte[]> pieces) throws IOException {
            FdFiles.writeNew(fd, pieces, self());
        }

        @Override
        public void applyMeta(FileEntry e) throws IOException {
            FdFiles.applyMeta(fd, e, self());
        }

        @Override
        public Path attributes() {
            return Path.of(AnchoredDirs.PROC_FD + fd);
        }

        @Override
        public void force() throws IOException {
            FdFiles.fsync(fd, self());
        }

        @Override
        public void written() {
            // stays open: closing it now would free it
        }

        @Override
        public AtPath temp() {
            return null;
        }

        @Override
        public LibC.NoReplace landOnNothing(AtPath target) throws IOException {
            try {
                return FdFiles.link(fd, target) ? LibC.NoReplace.MOVED : LibC.NoReplace.EXISTS;
            } finally {
                abandon(); // named now, or not to be named
            }
        }

        @Override
        public synchronized void abandon() {
            if (!closed) {
                closed = true;
                FdFiles.closeQuietly(fd);
                open.release();
            }
        }
    }

    /** A temporary file by name, through its descriptor. */
    final class Fd implements LandingFile {
        private final int fd;
        private final AtPath temp;
        /** Once closed, never again: the number may be another file's by then. */
        private boolean closed;

        Fd(int fd, AtPath temp) {
            this.fd = fd;
            this.temp = temp;
        }

        @Override
        public AtPath temp() {
            return temp;
        }

        @Override
        public void write(byte[] data) throws IOException {
            FdFiles.write(fd, data, temp);
        }

        @Override
        public void writeNew(java.util.List<byte[]> pieces) throws IOException {
            FdFiles.writeNew(fd, pieces, temp);
        }

        @Override
        public void applyMeta(FileEntry e) throws IOException {
            FdFiles.applyMeta(fd, e, temp);
        }

        @Override
        public Path attributes() {
            return temp.path();
        }

        @Override
        public void force() throws IOException {
            FdFiles.fsync(fd, temp);
        }

        @Override
        public synchronized void written() throws IOException {
            if (!closed) {
                closed = true;
                FdFiles.close(fd, temp);
            }
        }

        @Override
        public LibC.NoReplace landOnNothing(AtPath target) {
            return LibC.renameNoReplace(temp, target);
        }

        @Override
        public synchronized void abandon() {
            if (!closed) {
                closed = true;
                FdFiles.closeQuietly(fd);
            }
        }
    }

    /** A temporary file through the JDK's channel, by path. */
    record Channel(FileChannel ch, AtPath temp) implements LandingFile {
        @Override
        public void write(byte[] data) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        @Override
        public void applyMeta(FileEntry e) throws IOException {
            Meta.apply(temp.path(), e);
        }

        @Override
        public Path attributes() {
            return temp.path();
        }

        @Override
        public void force() throws IOException {
            ch.force(true);
        }

        @Override
        public void written() throws IOException {
            ch.close();
        }

        @Override
        public LibC.NoReplace landOnNothing(AtPath target) {
            return LibC.renameNoReplace(temp, target);
        }

        @Override
        public void abandon() {
            try {
                ch.close();
            } catch (IOException e) {
                // reported already
            }
        }
    }
}
