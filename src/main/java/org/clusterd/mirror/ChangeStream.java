package org.clusterd.mirror;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Differences from a sorted base, in {@link PathOrder}, batched into frames of about 256 KiB: a
 * path's new entry, or its name as gone. The peer's scan relative to the last common sync ({@link
 * Frames#SCAN_CHANGES}) and the owner's new manifest relative to the old one ({@link
 * Frames#MANIFEST_CHANGES}) travel like this; a whole scan or manifest ({@link Frames#SCAN_ENTRIES},
 * {@link Frames#MANIFEST_ENTRIES}) is the same without the present/gone mark. Payload: the record count, then per record (marked streams) byte 1
 * and an entry, or byte 0 and a path.
 */
final class ChangeStream implements Scanner.Differences {
    /** Where a finished frame goes. */
    @FunctionalInterface
    interface FrameSink {
        void frame(int type, byte[] payload) throws IOException;
    }

    private static final int FRAME_BYTES = 256 * 1024;
    private final FrameSink sink;
    private final int type;
    private final boolean marked;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(FRAME_BYTES + 16 * 1024);
    private final DataOutputStream data = new DataOutputStream(bytes);
    private int count;

    ChangeStream(FrameSink sink, int type) {
        this.sink = sink;
        this.type = type;
        this.marked = type == Frames.SCAN_CHANGES || type == Frames.MANIFEST_CHANGES;
    }

    @Override
    public void changed(FileEntry e) throws IOException {
        if (marked) {
            data.writeByte(1);
        }
        EntryCodec.write(data, e);
        added();
    }

    @Override
    public void gone(String path) throws IOException {
        if (!marked) {
            throw new IllegalStateException("a whole scan or manifest has no gone paths");
        }
        data.writeByte(0);
        EntryCodec.writeString(data, path);
        added();
    }

    private void added() throws IOException {
        count++;
        if (bytes.size() > FRAME_BYTES) {
            flush();
        }
    }

    /** Sends what is batched. */
    void flush() throws IOException {
        if (count == 0) {
            return;
        }
        byte[] body = bytes.toByteArray();
        sink.frame(type, ByteBuffer.allocate(4 + body.length).putInt(count).put(body).array());
        bytes.reset();
        count = 0;
    }

    /**
     * Reads one frame's records into {@code to}, checking every path ({@link PathGuard}).
     *
     * @return the number of records
     */
    static int read(DataInputStream p, boolean marked, Scanner.Differences to) throws IOException {
        int n = p.readInt();
        if (n < 0) {
            throw new Frames.BadFrame("negative record count " + n);
        }
        for (int i = 0; i < n; i++) {
            boolean present = !marked || p.readUnsignedByte() == 1;
            if (present) {
                FileEntry e = EntryCodec.read(p);
                PathGuard.check(e.path());
                to.changed(e);
            } else {
                String path = EntryCodec.readString(p);
                if (path == null) {
                    throw new Frames.BadFrame("a gone path without a path");
                }
                PathGuard.check(path);
                to.gone(path);
            }
        }
        return n;
    }
}
