package org.clusterd.node;

/**
 * The node's time in milliseconds: wall-clock-like values that never jump (wall time at start plus
 * monotonic elapsed time), so an NTP step cannot make a peer look dead or alive.
 */
public interface NodeClock {
    long millis();

    static NodeClock system() {
        long wallAtStart = System.currentTimeMillis();
        long nanoAtStart = System.nanoTime();
        return () -> wallAtStart + (System.nanoTime() - nanoAtStart) / 1_000_000;
    }
}
