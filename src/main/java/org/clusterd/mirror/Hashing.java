package org.clusterd.mirror;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Content hashes ({@link ContentHash}) of files and byte ranges; SHA-256 where a cryptographic hash is wanted. */
public final class Hashing {
    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<ByteBuffer> BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(1 << 20));

    private Hashing() {}

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }

    public static String hex(MessageDigest d) {
        return HEX.formatHex(d.digest());
    }

    public static String hex(byte[] b) {
        return HEX.formatHex(b);
    }

    /** The content hash of bytes. */
    public static String of(byte[] data) {
        ContentHash d = new ContentHash();
        d.update(data);
        return d.hex();
    }

    /** A file's hash and, when {@code prefixLength} is in 1..size-1, the hash of its first bytes. */
    public record FileHash(String hash, long size, String prefixHash) {}

    /** Hashes a whole file, also the prefix of {@code prefixLength} bytes when that is shorter than the file. */
    public static FileHash file(Path p, long prefixLength) throws IOException {
        ContentHash d = new ContentHash();
        String prefix = null;
        long pos = 0;
        ByteBuffer buf = BUFFER.get();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            while (true) {
                buf.clear();
                if (prefix == null && prefixLength > pos) {
                    buf.limit((int) Math.min(buf.capacity(), prefixLength - pos));
                }
                int n = ch.read(buf);
                if (n < 0) {
                    break;
                }
                buf.flip();
                d.update(buf);
                pos += n;
                if (prefix == null && prefixLength > 0 && pos == prefixLength) {
                    prefix = d.hex();
                }
            }
        }
        if (pos <= prefixLength) {
            prefix = null;
        }
        return new FileHash(d.hex(), pos, prefix);
    }

    /** The hash of bytes {@code [0, length)} of a file. */
    public static String prefix(Path p, long length) throws IOException {
        ContentHash d = new ContentHash();
        ByteBuffer buf = BUFFER.get();
        long pos = 0;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            while (pos < length) {
                buf.clear();
                buf.limit((int) Math.min(buf.capacity(), length - pos));
                int n = ch.read(buf);
                if (n < 0) {
                    throw new IOException(p + " is shorter than " + length + " bytes");
                }
                buf.flip();
                d.update(buf);
                pos += n;
            }
        }
        return d.hex();
    }
}
