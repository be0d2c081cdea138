package org.clusterd.node;

import java.util.Set;

import org.clusterd.cluster.ClusterEvent;
import org.clusterd.cluster.MachineSnapshot;
import org.clusterd.cluster.ResyncPhase;
import org.clusterd.mirror.MirrorEvent;
import org.clusterd.mirror.MirrorGuard;
import org.clusterd.mirror.MirrorService;
import org.clusterd.mirror.ResyncResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the mirror engine to the node: ownership answers from the state machine's latest snapshot
 * (architecture rule 3), resync passes for the machine's handovers, and the engine's events onto the
 * one event stream.
 */
final class MirrorBridge implements MirrorGuard, ResyncHandler {
    private static final Logger log = LoggerFactory.getLogger(MirrorBridge.class);
    /** Phases in which this node holds the group (or may still run it): it must not receive data for it. */
    private static final Set<String> HOLDING = Set.of("ORPHANED", "STARTING", "RUNNING", "RESYNC_BULK", "STOPPING",
            "RESYNC_FINAL");

    private final String local;
    private final EventHub events;
    private volatile NodeRuntime runtime;
    private volatile MirrorService mirror;

    MirrorBridge(String local, EventHub events) {
        this.local = local;
        this.events = events;
    }

    void attach(NodeRuntime runtime, MirrorService mirror) {
        this.runtime = runtime;
        this.mirror = mirror;
    }

    /**
     * Pushes only from the owner running the group normally, never while it moves, never in standby,
     * and not to a peer in standby, which refuses all data (the pass would fail, and page, on every run).
     */
    @Override
    public boolean mayPush(String group) {
        MachineSnapshot s = runtime == null ? null : runtime.snapshot();
        return s != null && s.state().equals("ACTIVE") && s.peer().alive() && !s.peer().state().equals("STANDBY")
                && phase(s, group).equals("RUNNING");
    }

    /** Receives only for a group this node does not hold, and never in standby. */
    @Override
    public boolean mayReceive(String group) {
        MachineSnapshot s = runtime == null ? null : runtime.snapshot();
        return s != null && !s.state().equals("STANDBY") && !HOLDING.contains(phase(s, group));
    }

    private static String phase(MachineSnapshot s, String group) {
        return s.groups().stream().filter(g -> g.name().equals(group)).findFirst()
                .map(MachineSnapshot.GroupInfo::state).orElse("UNKNOWN");
    }

    @Override
    public Result resync(String group, ResyncPhase phase, String toNode) {
        MirrorService m = mirror;
        if (m == null) {
            return new Result(true, "no mirror sets configured");
        }
        ResyncResult r = m.resync(group, phase);
        return new Result(r.ok(), r.detail());
    }

    void onMirrorEvent(MirrorEvent e) {
        if (e instanceof MirrorEvent.MirrorFailed f) {
            events.publish(new ClusterEvent.MirrorFailed(f.time(), local, f.group(), f.set(), f.reason()));
        } else if (e instanceof MirrorEvent.ConflictDetected c) {
            events.publish(new ClusterEvent.ConflictDetected(c.time(), local, c.group(), c.set(), c.path(), c.resolution()));
        } else if (e instanceof MirrorEvent.MassDeleteRefused m) {
            events.publish(new ClusterEvent.MassDeleteRefused(m.time(), local, m.group(), m.set(), m.deletes(), m.total()));
        } else if (e instanceof MirrorEvent.MirrorCompleted c) {
            log.info("mirror of {} ({}) completed: {} files, {} bytes, {} conflicts in {} ms", c.set(), c.group(),
                    c.filesMoved(), c.bytesMoved(), c.conflicts(), c.millis());
        } else if (e instanceof MirrorEvent.PeerRefused p) {
            log.warn("mirror connection from {} refused: {}", p.remote(), p.reason());
        }
    }
}
