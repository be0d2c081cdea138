package org.clusterd.heartbeat;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

import org.clusterd.cluster.Heartbeat;

/**
 * Admits each (incarnation, sequence) of one sender at most once, IPsec style (RFC 4303 §3.4.3).
 * Pure: time is a parameter; not thread-safe (one owner, or the owner's lock).
 *
 * <p>Rules, checked in this order:
 * <ol>
 *   <li>an incarnation older than the newest seen is {@link RejectReason#STALE_INCARNATION};</li>
 *   <li>a sender timestamp further than {@code maxClockSkew} from {@code now} (either way) is
 *       {@link RejectReason#CLOCK_SKEW}: this bounds how old a captured datagram may be when it is
 *       replayed to a receiver that has forgotten its window (after its own restart);</li>
 *   <li>a newer incarnation is admitted and starts a fresh window at its sequence;</li>
 *   <li>within the current incarnation, a sequence above the highest seen is admitted and slides the
 *       window; one of the {@value #WINDOW} sequences ending at the highest is admitted once (datagrams
 *       arrive reordered, especially over several links); a repeat, or anything older than the window,
 *       is {@link RejectReason#REPLAY}.</li>
 * </ol>
 * A rejected heartbeat changes nothing. The guard also counts {@link #lost()}: sequence numbers
 * skipped over and not (yet) filled in by a late arrival.
 */
public final class ReplayGuard {

    public static final int WINDOW = 64;
    public static final Duration DEFAULT_MAX_CLOCK_SKEW = Duration.ofMinutes(5);

    private final long maxSkewMillis;

    private boolean seenAny;
    private long incarnation;
    private long highest;
    /** The first sequence admitted in this incarnation: gaps are only counted above it. */
    private long first;
    /** Bit i set: sequence {@code highest - i} was admitted. */
    private long window;
    private long lost;

    public ReplayGuard() {
        this(DEFAULT_MAX_CLOCK_SKEW);
    }

    public ReplayGuard(Duration maxClockSkew) {
        Objects.requireNonNull(maxClockSkew, "maxClockSkew");
        if (maxClockSkew.isNegative() || maxClockSkew.isZero()) {
            throw new IllegalArgumentException("maxClockSkew must be positive: " + maxClockSkew);
        }
        this.maxSkewMillis = maxClockSkew.toMillis();
    }

    /** {@link #check(long, long, long, long)} for a heartbeat's own fields. */
    public Optional<DecodeResult.Rejected> check(Heartbeat hb, long nowMillis) {
        return check(hb.incarnation(), hb.sequence(), hb.sentAtMillis(), nowMillis);
    }

    /**
     * Admits and records a heartbeat, or says why not.
     *
     * @return empty if admitted (and now recorded as seen); otherwise the rejection, with nothing recorded
     */
    public Optional<DecodeResult.Rejected> check(long incarnation, long sequence, long sentAtMillis, long nowMillis) {
        if (seenAny && incarnation < this.incarnation) {
            return reject(RejectReason.STALE_INCARNATION,
                    "incarnation " + incarnation + " older than " + this.incarnation);
        }
        if (skewExceeds(sentAtMillis, nowMillis)) {
            return reject(RejectReason.CLOCK_SKEW, "sent at " + sentAtMillis + ", now " + nowMillis
                    + ": more than " + maxSkewMillis + " ms apart");
        }
        if (!seenAny || incarnation > this.incarnation) {
            seenAny = true;
            this.incarnation = incarnation;
            highest = sequence;
            first = sequence;
            window = 1L;
            return Optional.empty();
        }
        if (sequence > highest) {
            long shift = sequence - highest; // both non-negative in practice; compared, never overflowed
            window = shift >= WINDOW ? 1L : (window << shift) | 1L;
            lost += shift - 1;
            highest = sequence;
            return Optional.empty();
        }
        long age = highest - sequence;
        if (age < 0 || age >= WINDOW) {
            return reject(RejectReason.REPLAY, "sequence " + sequence + " older than the window ending at " + highest);
        }
        long bit = 1L << age;
        if ((window & bit) != 0) {
            return reject(RejectReason.REPLAY, "sequence " + sequence + " already seen");
        }
        window |= bit;
        if (sequence > first) {
            lost--; // fills a gap counted when the window slid past it
        }
        return Optional.empty();
    }

    /** Sequence numbers skipped and not filled in later, summed over every incarnation seen. */
    public long lost() {
        return lost;
    }

    private boolean skewExceeds(long sentAtMillis, long nowMillis) {
        long diff = sentAtMillis - nowMillis;
        boolean overflowed = ((sentAtMillis ^ nowMillis) & (sentAtMillis ^ diff)) < 0;
        return overflowed || diff > maxSkewMillis || diff < -maxSkewMillis;
    }

    private static Optional<DecodeResult.Rejected> reject(RejectReason reason, String detail) {
        return Optional.of(new DecodeResult.Rejected(reason, detail));
    }

    @Override
    public String toString() {
        return seenAny
                ? "ReplayGuard[incarnation=" + incarnation + " highest=" + highest + " lost=" + lost + "]"
                : "ReplayGuard[nothing seen]";
    }
}
