package org.clusterd.config;

/**
 * How local failures escalate. A failing resource's group is restarted in place up to
 * {@code restartLimit} times within {@code windowMs}; beyond that the group fails over. A node that
 * has to give up groups {@code maxFailovers} times within {@code windowMs} goes to standby instead of
 * flapping. {@code monitorIntervalMs} is the default status-check period of running resources.
 */
public record FailurePolicy(int restartLimit, int maxFailovers, long windowMs, long monitorIntervalMs) {
    public static final FailurePolicy DEFAULTS = new FailurePolicy(3, 3, 600_000, 5_000);
}
