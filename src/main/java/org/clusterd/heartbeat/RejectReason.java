package org.clusterd.heartbeat;

/**
 * Why an incoming datagram was dropped. The first six come from {@link HeartbeatCodec} (the bytes
 * themselves), the rest from {@link HeartbeatAcceptor} (an authentic heartbeat that is not for us, or
 * not new). Counted per link and per reason in {@link LinkStats}.
 */
public enum RejectReason {
    /** Shorter than the smallest valid datagram. */
    TOO_SHORT,
    /** Longer than {@link HeartbeatCodec#MAX_DATAGRAM} bytes. */
    TOO_LONG,
    /** Does not start with the magic {@code "CLHB"}: not a heartbeat at all. */
    BAD_MAGIC,
    /** A heartbeat of a format version this build does not speak. */
    BAD_VERSION,
    /** The HMAC does not match: forged, corrupted, or sent under another cluster key. */
    BAD_MAC,
    /** Authentic (MAC valid) but the body does not parse: truncated, trailing bytes, values out of range. */
    MALFORMED,
    /** Authentic, but for another cluster name (the same key is used by two clusters). */
    WRONG_CLUSTER,
    /** Authentic, but not from the configured peer: another name, or our own name (a reflected datagram). */
    UNKNOWN_NODE,
    /** A sequence number already seen, or too old for the replay window. */
    REPLAY,
    /** From an incarnation older than one already seen from the peer. */
    STALE_INCARNATION,
    /** The sender's timestamp is further from our clock than the allowed skew. */
    CLOCK_SKEW
}
