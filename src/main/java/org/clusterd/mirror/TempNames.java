package org.clusterd.mirror;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names for one receiving session's temporary files: {@value Excludes#TEMP_PREFIX}, a random token of
 * the session, and a counter. A {@code UUID.randomUUID()} per file cost a SecureRandom draw each (a
 * read of /dev/urandom every other file, and SHA-1), a visible share of the landing threads' CPU in a
 * 50,000-file copy (perf); the token keeps the names of two sessions, or of a session and the remains
 * of a crashed one, apart.
 */
final class TempNames {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String prefix = Excludes.TEMP_PREFIX + HexFormat.of().toHexDigits(RANDOM.nextLong()) + "-";
    private final AtomicLong count = new AtomicLong();

    /** A name no other temporary file of this or another session has. */
    String next() {
        return prefix + count.incrementAndGet();
    }
}
