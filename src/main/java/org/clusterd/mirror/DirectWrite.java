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
 * Writes a new large file's data, in order from its start, past the page cache (O_DIRECT): whole
 * aligned blocks go straight from one aligned buffer to the device, and only the last partial block
 * goes through the file's own, cached channel. Why: on the development machine copying a gigabyte
 * into the page cache cost 1.6 s of CPU, and the session's sync then wrote it out again; straight to
 * the device it took 0.6 s, mostly waiting (dd, 1 MiB blocks). The file still lands only after its
 * fsync or the session's sync, which now finds little left to write.
 *
 * <p>Where the file system refuses O_DIRECT, or a direct write fails, the rest of the file goes
 * through the cached channel at the same position, so a failure (disk full) reads as it did. One
 * instance per file, used by one thread at a time (the session's writer).
 */
final class DirectWrite implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DirectWrite.class);
    /** Position, length and buffer address of every direct write are multiples of this. */
    static final int ALIGN = 4096;
    static final int BUFFER = 1 << 20;

    private final Path file;
    private final FileChannel cached;
    private FileChannel direct;
    private final ByteBuffer buf;
    /** Where the buffer's first byte goes in the file. */
    private long position;
    /** Set when a direct write failed and the cached channel took over. */
    private boolean fellBack;

    /**
     * {@code direct}: the same file opened with O_DIRECT (tests give other channels); {@code buf}:
     * from {@link #buffer()}, used by no other writer until this one is finished or closed.
     */
    DirectWrite(Path file, FileChannel cached, FileChannel direct, ByteBuffer buf) {
        this.file = file;
        this.cached = cached;
        this.direct = direct;
        this.buf = buf.clear();
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
     * rest goes through the cached channel.
     */
    private void drain(boolean last) throws IOException {
        buf.flip();
        int whole = buf.remaining() / ALIGN * ALIGN;
        if (direct != null && whole > 0) {
            ByteBuffer blocks = buf.duplicate().limit(whole);
            try {
                writeFully(direct, blocks, position);
            } catch (IOException e) {
                // the cached way writes the same bytes again and reports its own failure, if any
                log.debug("{}: direct write at {} failed ({}), the rest goes through the page cache", file, position,
                        e.toString());
                fellBack = true;
                closeDirect();
            }
        }
        if (direct == null || last) {
            // the cached way from where the direct writes ended, to the end of what is buffered
            int from = direct == null ? 0 : whole;
            writeFully(cached, buf.duplicate().position(from), position + from);
            position += buf.remaining();
            buf.clear();
            return;
        }
        position += whole;
        buf.position(whole).compact();
    }

    /** Whether a direct write failed, so the rest went through the page cache. */
    boolean fellBack() {
        return fellBack;
    }

    private static void writeFully(FileChannel ch, ByteBuffer b, long at) throws IOException {
        long pos = at;
        while (b.hasRemaining()) {
            pos += ch.write(b, pos);
        }
    }

    private void closeDirect() {
        if (direct != null) {
            try {
                direct.close();
            } catch (IOException e) {
                log.debug("{}: closing the direct channel: {}", file, e.toString());
            }
            direct = null;
        }
    }

    /** Closes the direct channel; the cached one is the caller's. */
    @Override
    public void close() {
        closeDirect();
    }
}
