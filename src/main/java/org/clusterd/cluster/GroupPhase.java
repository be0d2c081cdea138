package org.clusterd.cluster;

/**
 * Where a group stands on this node.
 * <ul>
 * <li>{@code IDLE}: not running here.</li>
 * <li>{@code ORPHANED}: found running at start-up without a decision yet (the daemon had crashed
 *     while its services went on); announced as a claim so the peer waits, then adopted or stopped.</li>
 * <li>{@code STARTING}, {@code RUNNING}: owned here.</li>
 * <li>{@code RESYNC_BULK}: still running here while its data goes to the node that will run it next.</li>
 * <li>{@code STOPPING}: its resources are being stopped (the purpose says what follows).</li>
 * <li>{@code RESYNC_FINAL}: stopped here, final data pass to the next owner; still claimed so
 *     nobody starts it yet.</li>
 * <li>{@code RELEASED}: stopped and handed to the peer, which may start it with the next generation.</li>
 * <li>{@code DECLINED}: this is its home, but an operator moved it away: no automatic failback until
 *     an operator asks for it.</li>
 * </ul>
 */
enum GroupPhase {
    IDLE, ORPHANED, STARTING, RUNNING, RESYNC_BULK, STOPPING, RESYNC_FINAL, RELEASED, DECLINED;

    /** The status announced to the peer for this phase. */
    Heartbeat.ClaimStatus announced(boolean requested) {
        return switch (this) {
            case IDLE -> requested ? Heartbeat.ClaimStatus.REQUESTED : Heartbeat.ClaimStatus.NONE;
            case STARTING -> Heartbeat.ClaimStatus.STARTING;
            case RUNNING, RESYNC_BULK -> Heartbeat.ClaimStatus.RUNNING;
            case ORPHANED, STOPPING, RESYNC_FINAL -> Heartbeat.ClaimStatus.STOPPING;
            case RELEASED, DECLINED -> requested ? Heartbeat.ClaimStatus.REQUESTED : Heartbeat.ClaimStatus.RELEASED;
        };
    }

    /** True while this node's resources for the group are (or may be) running. */
    boolean mayRun() {
        return this == ORPHANED || this == STARTING || this == RUNNING || this == RESYNC_BULK || this == STOPPING;
    }

    /** True while this node holds the group against the peer. */
    boolean isClaim() {
        return announced(false).isClaim();
    }
}
