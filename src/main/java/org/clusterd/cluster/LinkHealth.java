package org.clusterd.cluster;

/**
 * How one heartbeat link looks from here: UP while the peer was heard on it within warnTime, WARN
 * until deadTime, DOWN after that (and before it was ever heard).
 */
final class LinkHealth {
    enum State { UP, WARN, DOWN }

    static final long NEVER = Long.MIN_VALUE;

    private final String name;
    private long lastSeenAt = NEVER;
    private State reported = State.DOWN;

    LinkHealth(String name) {
        this.name = name;
    }

    String name() { return name; }

    long lastSeenAt() { return lastSeenAt; }

    void seen(long now) {
        lastSeenAt = Math.max(lastSeenAt, now);
    }

    /** Moves the last-seen time forward by a pause of this node, so that our own freeze does not count against the peer. */
    void forgive(long pausedMillis) {
        if (lastSeenAt != NEVER) {
            lastSeenAt += pausedMillis;
        }
    }

    State stateAt(long now, long warnMs, long deadMs) {
        if (lastSeenAt == NEVER) {
            return State.DOWN;
        }
        long silent = now - lastSeenAt;
        return silent < warnMs ? State.UP : silent < deadMs ? State.WARN : State.DOWN;
    }

    State reported() { return reported; }

    void report(State state) { reported = state; }

    /** The next time at which this link's state can change by silence alone. */
    long nextChangeAt(long now, long warnMs, long deadMs) {
        if (lastSeenAt == NEVER) {
            return Long.MAX_VALUE;
        }
        if (now < lastSeenAt + warnMs) {
            return lastSeenAt + warnMs;
        }
        return now < lastSeenAt + deadMs ? lastSeenAt + deadMs : Long.MAX_VALUE;
    }
}
