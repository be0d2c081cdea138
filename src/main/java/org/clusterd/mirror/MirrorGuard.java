package org.clusterd.mirror;

/**
 * What the daemon tells the mirror engine about ownership (architecture rule 3). Called from mirror
 * threads; implementations answer from the daemon's latest snapshot and must not block.
 */
public interface MirrorGuard {
    /** Whether this node owns {@code group} and runs it normally, so its sets may be pushed to the peer. */
    boolean mayPush(String group);

    /**
     * Whether this node may receive data for {@code group}: only if it does NOT own it. A node refuses
     * data for a group it runs, so a recovered node can never overwrite its peer's newer data.
     */
    boolean mayReceive(String group);
}
