package org.clusterd.mirror;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;

/**
 * A received file's new temporary file, written and then landed ({@link Receiver}): through its
 * descriptor where {@link FdFiles} can (the small files of a full copy, by the ten thousand), else
 * through the JDK's channel (large files, which the write-behind thread writes through a channel).
 */
sealed interface LandingFile permits LandingFile.Fd, LandingFile.Channel {

    /** Creates {@code at}, which must not exist yet. */
    static LandingFile create(AtPath at) throws IOException {
        if (FdFiles.available()) {
            return new Fd(FdFiles.create(at), at);
        }
        return new Channel(FileChannel.open(at.path(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), at);
    }

    void write(byte[] data) throws IOException;

    /** Owner, mode and time as in {@code e} ({@link Meta#apply}). */
    void applyMeta(FileEntry e) throws IOException;

    void force() throws IOException;

    void close() throws IOException;

    /** Closes after a failure that is reported already. */
    void closeQuietly();

    /** By descriptor. */
    record Fd(int fd, AtPath at) implements LandingFile {
        @Override
        public void write(byte[] data) throws IOException {
            FdFiles.write(fd, data, at);
        }

        @Override
        public void applyMeta(FileEntry e) throws IOException {
            FdFiles.applyMeta(fd, e, at);
        }

        @Override
        public void force() throws IOException {
            FdFiles.fsync(fd, at);
        }

        @Override
        public void close() throws IOException {
            FdFiles.close(fd, at);
        }

        @Override
        public void closeQuietly() {
            FdFiles.closeQuietly(fd);
        }
    }

    /** Through the JDK's channel, by path. */
    record Channel(FileChannel ch, AtPath at) implements LandingFile {
        @Override
        public void write(byte[] data) throws IOException {
            ByteBuffer b = ByteBuffer.wrap(data);
            while (b.hasRemaining()) {
                ch.write(b);
            }
        }

        @Override
        public void applyMeta(FileEntry e) throws IOException {
            Meta.apply(at.path(), e);
        }

        @Override
        public void force() throws IOException {
            ch.force(true);
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }

        @Override
        public void closeQuietly() {
            try {
                ch.close();
            } catch (IOException e) {
                // reported already
            }
        }
    }
}
