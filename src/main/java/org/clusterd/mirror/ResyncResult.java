package org.clusterd.mirror;

import java.util.List;
import org.clusterd.cluster.ResyncPhase;

/** The outcome of {@link MirrorService#resync}: ok only if every set of the group was mirrored. */
public record ResyncResult(String group, ResyncPhase phase, boolean ok, String detail, List<PassResult> sets) {
    public ResyncResult {
        sets = List.copyOf(sets);
    }
}
