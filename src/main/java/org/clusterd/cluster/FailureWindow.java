package org.clusterd.cluster;

import java.util.ArrayDeque;
import java.util.Deque;

/** Counts failures within a sliding time window (restarts of a group, failovers of a node). */
final class FailureWindow {
    private final long windowMs;
    private final Deque<Long> times = new ArrayDeque<>();

    FailureWindow(long windowMs) {
        this.windowMs = windowMs;
    }

    /** Records a failure at {@code now} and returns how many fall within the window, this one included. */
    int record(long now) {
        times.addLast(now);
        return count(now);
    }

    int count(long now) {
        while (!times.isEmpty() && times.peekFirst() <= now - windowMs) {
            times.removeFirst();
        }
        return times.size();
    }
}
