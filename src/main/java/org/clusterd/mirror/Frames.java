package org.clusterd.mirror;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;

/**
 * The mirror channel's framing: each message is a 4-byte big-endian payload length, a 1-byte type
 * and the payload. Pure: bytes in, a {@link Frame} or a {@link BadFrame} out. A length above the
 * maximum is refused before anything is allocated.
 */
public final class Frames {
    /** Largest payload a peer may send. */
    public static final int MAX_PAYLOAD = 1 << 20;

    // session
    public static final int HELLO = 1;
    public static final int HELLO_OK = 2;
    public static final int ERROR = 3;
    public static final int SCAN_ENTRIES = 4;
    public static final int SCAN_END = 5;
    /**
     * The peer's scan relative to the last common sync both ends hold (the owner sent its id in HELLO
     * and it is the peer's too): only paths whose entry differs from that sync's, and paths of it the
     * scan did not find. Each record is byte 1 and an entry, or byte 0 and a path (gone).
     */
    public static final int SCAN_CHANGES = 6;
    // operations (owner -> peer), each answered by one RESULT (SIG_REQUEST by a SIGNATURE)
    public static final int OP_MKDIR = 10;
    public static final int OP_SYMLINK = 11;
    public static final int OP_FILE = 12;
    public static final int DATA = 13;
    public static final int END = 14;
    public static final int ABORT = 15;
    public static final int SIG_REQUEST = 16;
    public static final int SIGNATURE = 17;
    public static final int OP_META = 18;
    public static final int OP_DELETE = 19;
    public static final int OP_MBOX = 20;
    public static final int RESULT = 21;
    public static final int FINISH = 22;
    public static final int FINISHED = 23;
    public static final int MANIFEST_BEGIN = 30;
    public static final int MANIFEST_ENTRIES = 31;
    public static final int MANIFEST_END = 32;
    /**
     * MANIFEST_OK answers a whole manifest with an empty payload; a manifest sent as changes with
     * byte 1 (applied and published) or byte 0 (this node's copy of the base differs: send it whole).
     */
    public static final int MANIFEST_OK = 33;
    /**
     * The owner's new manifest as its differences from the old one both nodes hold, after a
     * MANIFEST_BEGIN that names the old one's id ({@link ChangeStream} records); MANIFEST_END then
     * carries the new manifest's entry count and checksum, which the peer's rebuilt copy must match.
     * Only to a peer whose HELLO_OK offers {@link #CAN_MANIFEST_CHANGES}.
     */
    public static final int MANIFEST_CHANGES = 34;
    /** A bit of the capabilities at the end of HELLO_OK. */
    public static final int CAN_MANIFEST_CHANGES = 1;
    public static final int BYE = 40;

    private Frames() {}

    public record Frame(int type, byte[] payload) {
        public DataInputStream in() {
            return new DataInputStream(new ByteArrayInputStream(payload));
        }
    }

    /** A frame that breaks the protocol; the connection is closed. */
    public static final class BadFrame extends IOException {
        private static final long serialVersionUID = 1L;

        public BadFrame(String message) {
            super(message);
        }
    }

    public static void write(OutputStream out, int type, byte[] payload) throws IOException {
        write(out, type, payload, 0, payload.length);
    }

    /** One frame whose payload is {@code len} bytes of {@code buf} from {@code off}. */
    public static void write(OutputStream out, int type, byte[] buf, int off, int len) throws IOException {
        if (len > MAX_PAYLOAD) {
            throw new IllegalArgumentException("payload of " + len + " bytes exceeds " + MAX_PAYLOAD);
        }
        byte[] head = {(byte) (len >>> 24), (byte) (len >>> 16), (byte) (len >>> 8), (byte) len, (byte) type};
        out.write(head);
        out.write(buf, off, len);
    }

    /**
     * Reads one frame.
     *
     * @return null at a clean end of stream (before a frame starts)
     * @throws BadFrame for a length out of range or an unknown type
     * @throws EOFException for a stream ending inside a frame
     */
    public static Frame read(InputStream in, int maxPayload) throws IOException {
        int b0 = in.read();
        if (b0 < 0) {
            return null;
        }
        DataInputStream d = new DataInputStream(in);
        int len = (b0 << 24) | (d.readUnsignedByte() << 16) | (d.readUnsignedByte() << 8) | d.readUnsignedByte();
        int type = d.readUnsignedByte();
        if (len < 0 || len > maxPayload) {
            throw new BadFrame("frame of " + (len & 0xffffffffL) + " bytes exceeds the maximum of " + maxPayload);
        }
        if (!known(type)) {
            throw new BadFrame("unknown frame type " + type);
        }
        byte[] payload = new byte[len];
        d.readFully(payload);
        return new Frame(type, payload);
    }

    static boolean known(int type) {
        return (type >= HELLO && type <= SCAN_CHANGES) || (type >= OP_MKDIR && type <= FINISHED)
                || (type >= MANIFEST_BEGIN && type <= MANIFEST_CHANGES) || type == BYE;
    }

    /** Builds a payload. */
    public interface Body {
        void write(DataOutputStream out) throws IOException;
    }

    public static byte[] payload(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** An entry or null. */
    public static void writeEntry(DataOutputStream out, FileEntry e) throws IOException {
        out.writeBoolean(e != null);
        if (e != null) {
            EntryCodec.write(out, e);
        }
    }

    /** An entry or null, its path checked by {@link PathGuard#check}. */
    public static FileEntry readEntry(DataInputStream in) throws IOException {
        if (!in.readBoolean()) {
            return null;
        }
        FileEntry e = EntryCodec.read(in);
        PathGuard.check(e.path());
        return e;
    }
}
