package org.clusterd.heartbeat;

import java.util.Objects;

import org.clusterd.cluster.Heartbeat;

/** What became of a datagram: a heartbeat, or the reason it was dropped. */
public sealed interface DecodeResult permits DecodeResult.Decoded, DecodeResult.Rejected {

    /** An authentic, well-formed heartbeat. */
    record Decoded(Heartbeat heartbeat) implements DecodeResult {
        public Decoded {
            Objects.requireNonNull(heartbeat, "heartbeat");
        }
    }

    /**
     * A dropped datagram. {@code detail} is a short human-readable explanation for the log; it never
     * contains bytes of an unauthenticated datagram beyond its header.
     */
    record Rejected(RejectReason reason, String detail) implements DecodeResult {
        public Rejected {
            Objects.requireNonNull(reason, "reason");
            Objects.requireNonNull(detail, "detail");
        }
    }
}
