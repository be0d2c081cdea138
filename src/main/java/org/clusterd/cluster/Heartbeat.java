package org.clusterd.cluster;

import java.util.List;

/**
 * What a node tells its peer on every link, every interval. The peer's whole view of this node is
 * built from these: they are idempotent and repeated, so a lost one costs nothing.
 *
 * @param incarnation        grows at every start of the daemon; older incarnations are replays
 * @param sequence           grows with every datagram of one incarnation
 * @param sentAtMillis       the sender's wall clock, for the replay check and for the logs
 * @param peerIncarnation    the incarnation of the receiver the sender has heard last (0: none); with
 *                           {@code peerStandbyEpoch} it tells the receiver that the claims in this
 *                           heartbeat were made knowing its current state
 * @param standbyEpoch       bumped at every entry into standby (odd) and every join (even); see {@link StandbyEpoch}
 * @param peerStandbyEpoch   the highest standby epoch the sender has seen from the receiver: a receiver
 *                           whose own epoch is lower has lost its standby lock and must stand down
 * @param pingReached        ping nodes the sender reaches now
 * @param pingTotal          ping nodes the sender has configured
 * @param linksUp            links on which the sender hears the receiver
 */
public record Heartbeat(
        String cluster,
        String node,
        long incarnation,
        long sequence,
        long sentAtMillis,
        NodeState state,
        long peerIncarnation,
        long standbyEpoch,
        long peerStandbyEpoch,
        int pingReached,
        int pingTotal,
        int linksUp,
        List<GroupClaim> groups) {

    public Heartbeat {
        groups = List.copyOf(groups);
    }

    /** One group as the sender sees it. */
    public record GroupClaim(String group, long generation, ClaimStatus status) {}

    /**
     * {@code NONE}: the sender does not run the group. {@code STARTING}, {@code RUNNING},
     * {@code STOPPING}: the sender owns it (a claim). {@code RELEASED}: the sender owned it at
     * {@code generation}, has stopped it completely, and hands it to the receiver, which may start it
     * with {@code generation + 1}. {@code REQUESTED}: the sender (its home) is ready and asks the owner
     * to hand it back (manual failback, or auto failback when the owner waits for it).
     * {@code LAST_OWNER}: the sender does not run the group but was its owner at {@code generation}
     * when it went down, so its data is the newest; a receiver whose generation is not newer must
     * not start the group from its own copy (the sender starts it and hands it home with a resync).
     */
    public enum ClaimStatus {
        NONE, STARTING, RUNNING, STOPPING, RELEASED, REQUESTED, LAST_OWNER;

        public boolean isClaim() {
            return this == STARTING || this == RUNNING || this == STOPPING;
        }
    }
}
