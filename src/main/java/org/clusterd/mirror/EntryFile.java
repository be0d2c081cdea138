package org.clusterd.mirror;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * A file of entries in {@link PathOrder}, streamed so that a million paths never sit in memory: the
 * manifest of a set's last common sync, and a scan's result. Format (version {@value #VERSION}):
 * the magic {@code CLDMIRR\n}, the version, a sync id; then each entry as byte 1 and {@link
 * EntryCodec}; then byte 0, the entry count and a CRC32C of everything before it. A file whose
 * trailer is missing or wrong, or whose entries are out of order, is unreadable as a whole.
 */
public final class EntryFile {
    static final byte[] MAGIC = {'C', 'L', 'D', 'M', 'I', 'R', 'R', '\n'};
    public static final int VERSION = 1;

    private EntryFile() {}

    /** Writes entries in order; {@link #finish()} makes the file complete and durable. */
    public static final class Writer implements AutoCloseable {
        private final FileChannel channel;
        private final ChannelOutput out;
        private final Path path;
        private String last;
        private long count;
        private boolean finished;
        private int checksum;

        public Writer(Path path, String id) throws IOException {
            this.path = path;
            this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                    StandardOpenOption.WRITE);
            this.out = new ChannelOutput(channel, 1 << 16, new CRC32C());
            out.write(MAGIC);
            out.writeInt(VERSION);
            EntryCodec.writeString(out, id);
        }

        public void add(FileEntry e) throws IOException {
            if (last != null && PathOrder.compare(last, e.path()) >= 0) {
                throw new IllegalStateException("entries out of order: " + e.path() + " after " + last + " in " + path);
            }
            last = e.path();
            out.writeByte(1);
            EntryCodec.write(out, e);
            count++;
        }

        public long count() {
            return count;
        }

        /** Writes the trailer and forces the file to disk. */
        public void finish() throws IOException {
            finish(true);
        }

        /** Writes the trailer; forces the file to disk if {@code force} (scratch files need not be). */
        public void finish(boolean force) throws IOException {
            out.writeByte(0);
            out.writeLong(count);
            out.flush();
            checksum = (int) out.checksum();
            java.nio.ByteBuffer crc = java.nio.ByteBuffer.allocate(4).putInt(checksum).flip();
            while (crc.hasRemaining()) {
                channel.write(crc);
            }
            if (force) {
                channel.force(true);
            }
            finished = true;
            channel.close();
        }

        /** The checksum {@link #finish} stored: files with the same entries and id have the same one. */
        int checksum() {
            if (!finished) {
                throw new IllegalStateException("not finished: " + path);
            }
            return checksum;
        }

        @Override
        public void close() throws IOException {
            if (!finished) {
                channel.close();
            }
        }
    }

    /** Reads a file written by {@link Writer}: {@link #open} checks the whole file first. */
    public static final class Reader implements EntryIterator {
        private final ChannelInput in;
        private final String id;
        private final long count;
        private FileEntry next;
        private boolean done;

        private Reader(Path path, String id, long count) throws IOException {
            this.id = id;
            this.count = count;
            this.in = new ChannelInput(FileChannel.open(path, StandardOpenOption.READ), 1 << 16);
            readHeader(in);
        }

        public String id() {
            return id;
        }

        public long count() {
            return count;
        }

        private String last;

        @Override
        public FileEntry peek() throws IOException {
            if (next == null && !done) {
                byte marker = in.readByte();
                if (marker == 1) {
                    next = EntryCodec.read(in);
                    if (last != null && PathOrder.compare(last, next.path()) >= 0) {
                        throw new IOException("entry file damaged: " + next.path() + " after " + last);
                    }
                    last = next.path();
                } else if (marker == 0) {
                    done = true;
                } else {
                    throw new IOException("entry file damaged: bad record marker " + marker);
                }
            }
            return next;
        }

        @Override
        public FileEntry next() throws IOException {
            FileEntry e = peek();
            next = null;
            return e;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    /**
     * Opens a complete, intact file for reading.
     *
     * @throws IOException if it is missing, truncated, damaged, out of order or of another version
     */
    public static Reader open(Path path) throws IOException {
        long count;
        String id;
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < MAGIC.length + 4 + 4 + 1 + 8 + 4) {
                throw new IOException(path + ": truncated");
            }
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(1 << 16);
            CRC32C crc = new CRC32C();
            long body = size - 4;
            long pos = 0;
            while (pos < body) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), body - pos));
                int n = ch.read(buf, pos);
                if (n < 0) {
                    throw new IOException(path + ": truncated");
                }
                buf.flip();
                crc.update(buf);
                pos += n;
            }
            java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(13);
            ch.read(tail, size - 13);
            tail.flip();
            byte end = tail.get();
            count = tail.getLong();
            int stored = tail.getInt();
            if (end != 0 || stored != (int) crc.getValue() || count < 0) {
                throw new IOException(path + ": damaged (checksum does not match)");
            }
        }
        try (InputStream raw = Channels.newInputStream(FileChannel.open(path, StandardOpenOption.READ))) {
            id = readHeader(new DataInputStream(new BufferedInputStream(raw, 256)));
        } catch (EOFException e) {
            throw new IOException(path + ": truncated", e);
        }
        return new Reader(path, id, count);
    }

    private static String readHeader(java.io.DataInput in) throws IOException {
        byte[] magic = new byte[MAGIC.length];
        in.readFully(magic);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException("not a clusterd entry file");
        }
        int version = in.readInt();
        if (version != VERSION) {
            throw new IOException("entry file version " + version + " is not supported (expected " + VERSION + ")");
        }
        return EntryCodec.readString(in);
    }
}
