package org.clusterd.util;

import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets at most one log line per key through per interval, and counts the ones it held back, so that
 * a flood of bad datagrams cannot fill the disk. Time is a parameter. Thread-safe. Keys must come
 * from a small fixed set (link and reason, never a sender address), since each one is remembered.
 */
public final class LogLimiter {

    private final long intervalMillis;
    private final Map<Object, Slot> slots = new ConcurrentHashMap<>();

    public LogLimiter(long intervalMillis) {
        if (intervalMillis <= 0) {
            throw new IllegalArgumentException("interval must be positive: " + intervalMillis);
        }
        this.intervalMillis = intervalMillis;
    }

    /**
     * @return empty to stay silent; otherwise log now, mentioning the number of lines held back since
     *         the previous one for this key
     */
    public OptionalLong admit(Object key, long nowMillis) {
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
