package org.clusterd.mirror;

import java.io.IOException;

/**
 * Whether a file arrived whole. The session is TLS 1.3, whose records are each authenticated and
 * numbered, so the bytes of a whole file arrive exactly as the owner sent them, or the connection
 * fails: their count against the size the owner announced is the check, and hashing them again here
 * would only repeat it (it was a fifth of the receiving node's CPU in a full copy). What this node
 * builds partly from its own old bytes (a delta, an appended tail, an mbox merge) is hashed and
 * compared with the owner's hash, which is what proves that those bytes were what the owner had.
 */
final class Arrival {
    private Arrival() {}

    /**
     * Null when the file arrived whole, else the problem: {@code hashed} (null for a whole file) must
     * match the owner's {@code hash}, and {@code arrived} bytes the announced {@code size}.
     */
    static IOException check(ContentHash hashed, long arrived, long size, String hash) {
        if (hashed != null) {
            return hashed.hex().equals(hash) ? null : new IOException("content hash mismatch after transfer");
        }
        if (arrived != size) {
            return new IOException("received " + arrived + " bytes of a file of " + size);
        }
        return null;
    }
}
