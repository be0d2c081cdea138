package org.clusterd.mirror;

import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.WritableByteChannel;
import java.util.zip.Checksum;

/**
 * A buffered {@link DataOutput} to a channel that also checksums what it writes, for entry files:
 * the counterpart of {@link ChannelInput}, without a lock and a call per byte. Not thread-safe.
 */
final class ChannelOutput implements DataOutput {
    private final WritableByteChannel channel;
    private final ByteBuffer buf;
    private final Checksum checksum;

    ChannelOutput(WritableByteChannel channel, int bufferSize, Checksum checksum) {
        this.channel = channel;
        this.buf = ByteBuffer.allocate(bufferSize);
        this.checksum = checksum;
    }

    private void room(int n) throws IOException {
        if (buf.remaining() < n) {
            flush();
        }
    }

    /** Writes out the buffer (checksummed first). */
    void flush() throws IOException {
        buf.flip();
        checksum.update(buf.array(), 0, buf.limit());
        while (buf.hasRemaining()) {
            channel.write(buf);
        }
        buf.clear();
    }

    /** The checksum of everything flushed so far. */
    long checksum() {
        return checksum.getValue();
    }

    @Override
    public void write(int b) throws IOException {
        room(1);
        buf.put((byte) b);
    }

    @Override
    public void write(byte[] b) throws IOException {
        write(b, 0, b.length);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        while (len > 0) {
            if (!buf.hasRemaining()) {
                flush();
            }
            int n = Math.min(len, buf.remaining());
            buf.put(b, off, n);
            off += n;
            len -= n;
        }
    }

    @Override
    public void writeBoolean(boolean v) throws IOException {
        write(v ? 1 : 0);
    }

    @Override
    public void writeByte(int v) throws IOException {
        write(v);
    }

    @Override
    public void writeShort(int v) throws IOException {
        room(2);
        buf.putShort((short) v);
    }

    @Override
    public void writeChar(int v) throws IOException {
        room(2);
        buf.putChar((char) v);
    }

    @Override
    public void writeInt(int v) throws IOException {
        room(4);
        buf.putInt(v);
    }

    @Override
    public void writeLong(long v) throws IOException {
        room(8);
        buf.putLong(v);
    }

    @Override
    public void writeFloat(float v) throws IOException {
        writeInt(Float.floatToIntBits(v));
    }

    @Override
    public void writeDouble(double v) throws IOException {
        writeLong(Double.doubleToLongBits(v));
    }

    @Override
    public void writeBytes(String s) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            write(s.charAt(i));
        }
    }

    @Override
    public void writeChars(String s) throws IOException {
        for (int i = 0; i < s.length(); i++) {
            writeChar(s.charAt(i));
        }
    }

    @Override
    public void writeUTF(String s) {
        throw new UnsupportedOperationException("entry files hold UTF-8 with an int length (EntryCodec), not modified UTF-8");
    }
}
