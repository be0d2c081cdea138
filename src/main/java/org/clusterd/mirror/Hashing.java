package org.clusterd.mirror;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/** Content hashes ({@link ContentHash}) of files and byte ranges; SHA-256 where a cryptographic hash is wanted. */
public final class Hashing {
    private static final HexFormat HEX = HexFormat.of();
    /**
     * Bytes per read when hashing: small enough that the bytes a read copies are still in the CPU's
     * cache when the hash takes them. Reading 1 GB from the page cache in 1 MiB pieces took three
     * times as long as in these.
     */
    static final int CHUNK = 64 << 10;
    private static final ThreadLocal<ByteBuffer> BUFFER = ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(CHUNK));

    /** This thread's read buffer of {@link #CHUNK} bytes (direct), for one read at a time. */
    static ByteBuffer chunkBuffer() {
        return BUFFER.get();
    }
    /** For the last block of a grown file, read whole. */
    private static final ThreadLocal<ByteBuffer> BLOCK_BUFFER =
            ThreadLocal.withInitial(() -> ByteBuffer.allocateDirect(BlockSums.BLOCK));

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

    /**
     * A file's hash and, when {@code prefixLength} is in 1..size-1, the hash of its first bytes;
     * {@code sums} for a file of at least {@link BlockSums#MIN_SIZE} bytes, else null.
     */
    public record FileHash(String hash, long size, String prefixHash, BlockSums sums) {}

    /**
     * Hashes a whole file, also the prefix of {@code prefixLength} bytes when that is shorter than the
     * file, and takes the block sums of a large one in the same read.
     */
    public static FileHash file(Path p, long prefixLength) throws IOException {
        ContentHash d = new ContentHash();
        String prefix = null;
        long pos = 0;
        ByteBuffer buf = BUFFER.get();
        LongList sums = null;
        CRC32C blockC = new CRC32C();
        CRC32 blockD = new CRC32();
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (ch.size() >= BlockSums.MIN_SIZE) {
                sums = new LongList();
            }
            while (true) {
                buf.clear();
                // reads stop at the prefix and at block boundaries, so each is hashed on its own
                long stop = pos + buf.capacity();
                if (prefix == null && prefixLength > pos) {
                    stop = Math.min(stop, prefixLength);
                }
                if (sums != null) {
                    stop = Math.min(stop, (pos / BlockSums.BLOCK + 1) * BlockSums.BLOCK);
                }
                buf.limit((int) (stop - pos));
                int n = fill(ch, buf);
                if (n <= 0) {
                    break;
                }
                buf.flip();
                if (sums != null) {
                    // a block may take two reads (the prefix ends inside it): its sum covers both
                    blockC.update(buf.duplicate());
                    blockD.update(buf.duplicate());
                }
                d.update(buf);
                pos += n;
                if (sums != null && pos % BlockSums.BLOCK == 0) {
                    sums.add(BlockSums.combine(blockC, blockD));
                }
                if (prefix == null && prefixLength > 0 && pos == prefixLength) {
                    prefix = d.hex();
                }
            }
        }
        if (sums != null && pos % BlockSums.BLOCK != 0) {
            sums.add(BlockSums.combine(blockC, blockD));
        }
        if (pos <= prefixLength) {
            prefix = null;
        }
        BlockSums bs = sums == null ? null : new BlockSums(pos, d.state(), sums.toArray());
        return new FileHash(d.hex(), pos, prefix, bs);
    }

    /**
     * The hash of a file that has grown since {@code old} was taken, reading its old part only to
     * compare it with the block sums and hashing only what was added (from the hash state the sums
     * kept). Null when any block of the old part differs, when the file is not longer than it was, or
     * when the sums are damaged: then it was rewritten, not appended to, and must be hashed in full.
     * The result's {@code prefixHash} is the old content's hash.
     */
    public static FileHash grown(Path p, BlockSums old) throws IOException {
        ContentHash d = ContentHash.resume(old.hashState());
        if (d == null || d.length() != old.size() || old.blocks().length != BlockSums.blockCount(old.size())) {
            return null;
        }
        String prefix = d.hex();
        long length = old.size();
        int whole = (int) (length / BlockSums.BLOCK);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
            if (ch.size() <= length || !PrefixCheck.matches(ch, old.blocks(), whole)) {
                return null;
            }
            LongList sums = new LongList();
            for (int i = 0; i < whole; i++) {
                sums.add(old.blocks()[i]);
            }
            ByteBuffer buf = BLOCK_BUFFER.get();
            long pos = (long) whole * BlockSums.BLOCK;
            while (true) {
                buf.clear();
                buf.limit(BlockSums.BLOCK);
                int n = fill(ch, buf, pos);
                if (n <= 0) {
                    break;
                }
                buf.flip();
                if (pos < length) {
                    // the old part's last, short block: check it, then hash only what follows it
                    int oldPart = (int) (length - pos);
                    if (n < oldPart || BlockSums.sum(buf.duplicate().limit(oldPart)) != old.blocks()[whole]) {
                        return null;
                    }
                    sums.add(BlockSums.sum(buf));
                    d.update(buf.position(oldPart));
                } else {
                    sums.add(BlockSums.sum(buf));
                    d.update(buf);
                }
                pos += n;
            }
            if (pos <= length) {
                return null;
            }
            return new FileHash(d.hex(), pos, prefix, new BlockSums(pos, d.state(), sums.toArray()));
        }
    }

    /** Reads until the buffer is full or the file ends; the count read, -1 at the end. */
    private static int fill(FileChannel ch, ByteBuffer buf) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
        }
        return total;
    }

    /** Positional {@link #fill(FileChannel, ByteBuffer)}. */
    static int fill(FileChannel ch, ByteBuffer buf, long at) throws IOException {
        int total = 0;
        while (buf.hasRemaining()) {
            int n = ch.read(buf, at + total);
            if (n < 0) {
                return total == 0 ? -1 : total;
            }
            total += n;
        }
        return total;
    }

    /** A growing list of longs without boxing. */
    static final class LongList {
        private long[] a = new long[16];
        private int n;

        void add(long v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, n * 2);
            }
            a[n++] = v;
        }

        long[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }

    /** The hash of bytes {@code [0, length)} of a file. */
    public static String prefix(Path p, long length) throws IOException {
        ContentHash d = new ContentHash();
        ByteBuffer buf = BUFFER.get();
        long pos = 0;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)) {
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
