package org.clusterd.cluster;

import org.clusterd.config.GroupConfig;

/** One group as this node handles it: its phase, the newest generation known, and why it is moving. */
final class LocalGroup {
    /** Why a group is being stopped here. */
    enum StopPurpose { HANDOVER, YIELD, RESTART, SHUTDOWN_ONLY }

    /** Why a group is handed to the peer. */
    enum HandoverReason { OPERATOR, FAILBACK, LEAVING, STANDBY, FAULT }

    final GroupConfig config;
    GroupPhase phase = GroupPhase.IDLE;
    long generation;
    String owner;
    StopPurpose stopPurpose;
    HandoverReason handoverReason;
    boolean requested;
    /**
     * This node booted as the group's last owner (its record says so at the newest generation it
     * knows): its copy of the group's data may be the newest, so it announces that instead of silence
     * until it starts the group, learns of a newer generation or hands the group on.
     */
    boolean lastOwnerAtBoot;
    long requestExpiresAt;
    long retryNotBefore;

    /** The status this node's heartbeats give for the group. */
    Heartbeat.ClaimStatus announced() {
        return lastOwnerAtBoot && phase == GroupPhase.IDLE && !requested ? Heartbeat.ClaimStatus.LAST_OWNER
                : phase.announced(requested);
    }
    /**
     * An operator's failover or failback on this node stands until then: a bulk pass that failed (the
     * peer's mirror service still starting, say) is tried again instead of the command being lost.
     */
    long operatorMoveUntil = -1;
    HandoverReason operatorMoveReason;
    boolean splitBrainReported;
    /** The current start takes the group over from the peer (for the TakeoverCompleted event). */
    boolean takingOver;
    String lastResult = "";
    final FailureWindow restarts;

    LocalGroup(GroupConfig config, long windowMs) {
        this.config = config;
        this.restarts = new FailureWindow(windowMs);
    }

    String name() { return config.name(); }

    String home() { return config.home(); }

    boolean autoFailback() { return config.failback() == GroupConfig.Failback.AUTO; }

    @Override
    public String toString() {
        return name() + "[" + phase + " gen=" + generation + " owner=" + owner + "]";
    }
}
