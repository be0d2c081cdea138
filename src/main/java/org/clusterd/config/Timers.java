package org.clusterd.config;

/**
 * Heartbeat timers in milliseconds. Defaults: interval 500, warn 1500, dead 3000, initDead 10000.
 * Validation guarantees interval &gt; 0, warn &gt;= interval, dead &gt;= 2 * interval, dead &gt; warn,
 * initDead &gt;= dead.
 */
public record Timers(long heartbeatIntervalMs, long warnMs, long deadMs, long initDeadMs) {
    public static final Timers DEFAULTS = new Timers(500, 1500, 3000, 10_000);
}
