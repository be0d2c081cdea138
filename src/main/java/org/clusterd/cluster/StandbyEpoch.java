package org.clusterd.cluster;

/**
 * A node's standby history as one growing number: odd while in standby, even while joined. Because it
 * only grows, the peer can tell a node that lost its lock file (its epoch went back) to stand down,
 * the same way generations let a stale owner lose.
 */
final class StandbyEpoch {
    private StandbyEpoch() {}

    static boolean isStandby(long epoch) {
        return (epoch & 1) == 1;
    }

    static long enter(long epoch) {
        return isStandby(epoch) ? epoch : epoch + 1;
    }

    static long leave(long epoch) {
        return isStandby(epoch) ? epoch + 1 : epoch;
    }
}
