package org.clusterd.snmp;

import java.util.HashMap;
import java.util.Map;

/**
 * Stable row numbers for one table: each name gets the next free number the first time it is seen
 * and keeps it while the agent runs, also if rows come and go or are reported in another order.
 * Thread-safe (the agent renders on several worker threads).
 */
final class RowIndexes {
    static final int MAX_ROWS = 65535;

    private final Map<String, Integer> indexes = new HashMap<>();

    /** The row number of {@code name}, 1-based; 0 once {@value #MAX_ROWS} names have been numbered (the row is not shown). */
    synchronized int of(String name) {
        Integer i = indexes.get(name);
        if (i != null) {
            return i;
        }
        if (indexes.size() >= MAX_ROWS) {
            return 0;
        }
        int next = indexes.size() + 1;
        indexes.put(name, next);
        return next;
    }
}
