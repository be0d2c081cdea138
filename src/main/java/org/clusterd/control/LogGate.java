package org.clusterd.control;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets at most one log line per key through per interval and counts the ones held back, so that a
 * flood of bad requests cannot fill the log. Time is a parameter. Thread-safe. Keys must come from a
 * small fixed set (a reason, never a client address). (Same idea as the heartbeat package's limiter,
 * which is package-private there.)
 */
final class LogGate {
    private final long intervalMillis;
    private final Map<Object, Slot> slots = new ConcurrentHashMap<>();

    LogGate(long intervalMillis) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("interval must be positive: " + intervalMillis);
        }
        this.intervalMillis = intervalMillis;
    }

    /** Empty to stay silent; otherwise log now, mentioning the number of lines held back for this key. */
    OptionalLong admit(Object key, long nowMillis) {
        Slot slot = slots.computeIfAbsent(key, k -> new Slot());
        synchronized (slot) {
            // a clock that went backwards opens the gate rather than closing it for a long time
            if (slot.loggedAny && nowMillis >= slot.lastMillis && nowMillis - slot.lastMillis < intervalMillis) {
                slot.suppressed++;
                return OptionalLong.empty();
            }
            long held = slot.suppressed;
            slot.loggedAny = true;
            slot.lastMillis = nowMillis;
            slot.suppressed = 0;
            return OptionalLong.of(held);
        }
    }

    private static final class Slot {
        boolean loggedAny;
        long lastMillis;
        long suppressed;
    }
}
