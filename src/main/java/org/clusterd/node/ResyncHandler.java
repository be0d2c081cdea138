package org.clusterd.node;

import org.clusterd.cluster.ResyncPhase;

/**
 * Brings a group's data to the node that will run it next (architecture rule 4). Blocking; called on
 * the group's worker thread. The mirroring layer implements it; without mirroring there is no data
 * to move and every pass succeeds at once.
 */
public interface ResyncHandler {
    Result resync(String group, ResyncPhase phase, String toNode);

    record Result(boolean ok, String detail) {}

    ResyncHandler NONE = (group, phase, toNode) -> new Result(true, "no mirror sets configured");
}
