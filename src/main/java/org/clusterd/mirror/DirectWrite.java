package org.clusterd.mirror;

import com.sun.nio.file.ExtendedOpenOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes a new file's data, in order from its start, past the page cache (O_DIRECT): whole aligned
 * blocks go straight from one aligned buffer to the device, and only the last partial block is
 * written cached. Why: on the development machine copying a gigabyte into the page cache cost 1.6 s
 * of CPU, and the session's sync then wrote it out again; straight to the device it took 0.6 s,
 * mostly waiting (dd, 1 MiB blocks). The file still lands only after its fsync or the session's
 * sync, which now finds little left to write. Large files come through two channels ({@link #open});
 * small ones through their descriptor ({@link FdFiles#writeNew}).
 *
 * <p>Where a direct write fails, that buffer and the rest of the file go the cached way from the
 * same position, so a failure (disk full) reads as it did. One instance per file, used by one thread
 * at a time.
 */
final class DirectWrite implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DirectWrite.class);
    /** Position, length and buffer address of every direct write are multiples of this. */
    static final int ALIGN = 4096;
    static final int BUFFER = 1 << 20;

    /** Where the bytes go. */
    interface Blocks {
        /** Writes all of {@code blocks} (whole aligned blocks, from an aligned buffer) at {@code at}, direct. */
        void direct(ByteBuffer blocks, long at) throws IOException;

        /** Writes all of {@code bytes} at {@code at} through the page cache. */
        void cached(ByteBuffer bytes, long at) throws IOException;

        /** No direct write follows (after a failure, before the last partial block, or when abandoned). */
        void endDirect() throws IOException;
    }

    private final String file;
    private final Blocks blocks;
    private boolean direct = true;
    private final ByteBuffer buf;
    /** Where the buffer's first byte goes in the file. */
    private long position;
    /** Set when a direct write failed and the cached way took over. */
    private boolean fellBack;

    /** {@code buf}: aligned ({@link #buffer()}), used by no other writer until this one is finished or closed. */
    DirectWrite(String file, Blocks blocks, ByteBuffer buf) {
        this.file = file;
        this.blocks = blocks;
        this.buf = buf.clear();
    }

    /** Through two channels of {@code file}: {@code direct} opened with O_DIRECT (tests give others). */
    DirectWrite(Path file, FileChannel cached, FileChannel direct, ByteBuffer buf) {
        this(file.toString(), new Channels(cached, direct), buf);
    }

    /**
     * A buffer for writers, one after another. A session keeps one: direct memory is freed only by a
     * garbage collection, and a new buffer per file would pile up.
     */
    static ByteBuffer buffer() {
        return ByteBuffer.allocateDirect(BUFFER + ALIGN).alignedSlice(ALIGN);
    }

    /**
     * A writer for the empty file {@code file}, already open as {@code cached}, writing through {@code
     * buf}; or null where its file system does not take O_DIRECT (tmpfs before Linux 6.6, some network
     * file systems).
     */
    static DirectWrite open(Path file, FileChannel cached, ByteBuffer buf) {
        FileChannel direct;
        try {
            direct = FileChannel.open(file, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT);
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("{}: no direct writes ({}), it goes through the page cache", file, e.toString());
            return null;
        }
        return new DirectWrite(file, cached, direct, buf);
    }

    /** Appends {@code data} to what was written. */
    void write(byte[] data) throws IOException {
        int off = 0;
        while (off < data.length) {
            int n = Math.min(buf.remaining(), data.length - off);
            buf.put(data, off, n);
            off += n;
            if (!buf.hasRemaining()) {
                drain(false);
            }
        }
    }

    /** Writes what is still buffered; the file then holds every byte given, in order. */
    void finish() throws IOException {
        drain(true);
        close();
    }

    /**
     * Writes the buffer's whole blocks direct and keeps the rest at its start; with {@code last}, the
     * rest is written cached.
     */
    private void drain(boolean last) throws IOException {
        buf.flip();
        int whole = buf.remaining() / ALIGN * ALIGN;
        int from = 0;
        if (direct && whole > 0) {
            try {
                blocks.direct(buf.duplicate().limit(whole), position);
                from = whole;
            } catch (IOException e) {
                // the cached way writes the same bytes again and reports its own failure, if any
                log.debug("{}: direct write at {} failed ({}), the rest goes through the page cache", file, position,
                        e.toString());
                fellBack = true;
                endDirect();
            }
        }
        if (!direct || last) {
            if (direct) {
                endDirect();
            }
            blocks.cached(buf.duplicate().position(from), position + from);
            position += buf.remaining();
            buf.clear();
            return;
        }
        position += whole;
        buf.position(whole).compact();
    }

    private void endDirect() throws IOException {
        direct = false;
        blocks.endDirect();
    }

    /** Whether a direct write failed, so the rest went through the page cache. */
    boolean fellBack() {
        return fellBack;
    }

    /** Ends direct writes; the file itself is the caller's. */
    @Override
    public void close() {
        if (direct) {
            try {
                endDirect();
            } catch (IOException e) {
                log.debug("{}: ending direct writes: {}", file, e.toString());
            }
        }
    }

    /** A large file's two channels: the cached one is the caller's, the direct one is closed here. */
    private record Channels(FileChannel cachedChannel, FileChannel directChannel) implements Blocks {
        @Override
        public void direct(ByteBuffer b, long at) throws IOException {
            writeFully(directChannel, b, at);
        }

        @Override
        public void cached(ByteBuffer b, long at) throws IOException {
            writeFully(cachedChannel, b, at);
        }

        @Override
        public void endDirect() {
            try {
                directChannel.close();
            } catch (IOException e) {
                log.debug("closing a direct channel: {}", e.toString()); // nothing was left unwritten in it
            }
        }

        private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
            long pos = at;
            while (b.hasRemaining()) {
                pos += ch.write(b, pos);
            }
        }
    }
}
