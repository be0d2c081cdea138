package org.clusterd.mirror;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The binary form of a {@link FileEntry}, shared by manifest files and the wire. Strings are a
 * length and UTF-8 bytes; a length of -1 is null. Decoding checks every length, so damaged input
 * ends in an {@link IOException} rather than a huge allocation.
 */
public final class EntryCodec {
    static final int MAX_STRING_BYTES = 8192;

    private EntryCodec() {}

    public static void write(DataOutput out, FileEntry e) throws IOException {
        writeString(out, e.path());
        out.writeByte(e.type().ordinal());
        out.writeLong(e.size());
        out.writeLong(e.mtimeNs());
        out.writeInt(e.mode());
        out.writeInt(e.uid());
        out.writeInt(e.gid());
        writeString(out, e.linkTarget());
        writeString(out, e.hash());
        out.writeLong(e.prefixLength());
        writeString(out, e.prefixHash());
    }

    public static FileEntry read(DataInput in) throws IOException {
        String path = readString(in);
        if (path == null || path.isEmpty()) {
            throw new IOException("entry without a path");
        }
        int t = in.readUnsignedByte();
        if (t >= EntryType.values().length) {
            throw new IOException("unknown entry type " + t);
        }
        long size = in.readLong();
        if (size < 0) {
            throw new IOException("negative size");
        }
        return new FileEntry(path, EntryType.values()[t], size, in.readLong(), in.readInt(), in.readInt(), in.readInt(),
                readString(in), readString(in), in.readLong(), readString(in));
    }

    public static void writeString(DataOutput out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_STRING_BYTES) {
            throw new IOException("string of " + b.length + " bytes is too long");
        }
        out.writeInt(b.length);
        out.write(b);
    }

    public static String readString(DataInput in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > MAX_STRING_BYTES) {
            throw new IOException("bad string length " + n);
        }
        if (in instanceof ChannelInput c) {
            return c.readUtf8(n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }
}
