package org.clusterd.mirror;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * What one full read of a large file leaves behind so that, once the file has grown, its old part can
 * be verified without hashing it again: a 64-bit checksum of each {@value #BLOCK}-byte block (CRC32C
 * and CRC32 side by side; the last block may be short) and the {@link ContentHash} state after the
 * last byte. Both come from the same read, so when the state's hash equals the hash the last common
 * sync recorded, the block sums describe exactly that content.
 *
 * <p>Why checksums and not the content hash: the CRCs run as CPU instructions at several GB/s while
 * MurmurHash3 in Java manages about 1 GB/s, and every byte of the old part is still checked. A change
 * goes unnoticed only if both CRCs of its block stay the same: never for a change of up to 32
 * consecutive bits, otherwise about once in 2^64 (these guard against mail clients rewriting a
 * spool, not against an adversary who can write to the set anyway).
 *
 * @param size bytes covered
 * @param hashState {@link ContentHash#state()} after {@code size} bytes
 * @param blocks one checksum per block, {@link #blockCount(long)} of them
 */
record BlockSums(long size, byte[] hashState, long[] blocks) {
    static final int BLOCK = 1 << 20;
    /** Smaller files are simply hashed again when they grow. */
    static final long MIN_SIZE = 4L << 20;

    static int blockCount(long size) {
        return (int) ((size + BLOCK - 1) / BLOCK);
    }

    /** The content hash of the {@code size} bytes these sums describe; null if the state is damaged. */
    String hash() {
        ContentHash c = ContentHash.resume(hashState);
        return c == null || c.length() != size ? null : c.hex();
    }

    /** Whether these sums describe the content {@code base} records (same size and content hash). */
    boolean describe(FileEntry base) {
        return base != null && base.isFile() && base.size() == size && base.hash() != null
                && blocks.length == blockCount(size) && base.hash().equals(hash());
    }

    /** The 64-bit checksum of the buffer's remaining bytes (its position is left alone). */
    static long sum(ByteBuffer b) {
        CRC32C c = new CRC32C();
        c.update(b.duplicate());
        CRC32 d = new CRC32();
        d.update(b.duplicate());
        return combine(c, d);
    }

    /** The 64-bit checksum of what both CRCs took in; resets them for the next block. */
    static long combine(CRC32C c, CRC32 d) {
        long v = (c.getValue() << 32) | d.getValue();
        c.reset();
        d.reset();
        return v;
    }
}
