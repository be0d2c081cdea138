package org.clusterd.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import org.clusterd.cluster.ClusterAction.Emit;
import org.clusterd.cluster.ClusterEvent.*;
import org.clusterd.cluster.Heartbeat.ClaimStatus;
import org.clusterd.cluster.Heartbeat.GroupClaim;
import org.clusterd.cluster.LocalGroup.HandoverReason;
import org.clusterd.cluster.LocalGroup.StopPurpose;
import org.clusterd.config.ClusterConfig;
import org.clusterd.config.GroupConfig;

/**
 * The whole failover logic of one node, pure: inputs in, actions out, no threads, no clock, no I/O.
 *
 * <p>Node states and why they change:
 * <ul>
 * <li>STARTING → ACTIVE: initDead has passed, or the peer was heard (then nothing is uncertain; a peer
 *     heard once and then silent for deadTime may be taken over before initDead ends).
 *     A STARTING node starts its own home groups the peer does not claim and takes released
 *     groups, but never takes over from a silent peer (rule 2).</li>
 * <li>ACTIVE/STARTING → STANDBY: operator command, a resource that failed to stop (rule 9), too many
 *     failovers within the window (rule 10), fewer ping nodes than the peer (rule 6), or the peer says
 *     this node lost its standby lock (rule 7). Every group is handed over first.</li>
 * <li>STANDBY → ACTIVE: operator join only.</li>
 * <li>any → LEAVING: graceful shutdown; groups are handed over, then {@link ClusterAction.Exit}.</li>
 * </ul>
 *
 * <p>Group phases (see {@link GroupPhase}) and why they change:
 * <ul>
 * <li>IDLE/RELEASED/DECLINED → STARTING: this node may run it (see {@link #mayStart}): home node and
 *     the peer does not claim it; the peer released it; the peer is in standby or leaving; or the
 *     peer has been silent on every link for deadTime after initDead and our ping nodes answer
 *     (rule 1). The start persists the generation first: same generation when this node was
 *     already its owner, the next one on every change of owner.</li>
 * <li>STARTING → RUNNING on success; a failed start is retried up to restartLimit, then released.</li>
 * <li>RUNNING → RESYNC_BULK → STOPPING → RESYNC_FINAL → RELEASED: a handover (operator failover,
 *     failback to the home node, standby, shutdown, fault). The data goes to the next owner while
 *     the group runs, then once more with it stopped on both nodes, and only then may the peer start
 *     it (rule 4). Without a live peer the resync passes are skipped.</li>
 * <li>RESYNC_BULK → RUNNING: the bulk pass failed and the move is optional (failback, operator); the
 *     group keeps serving and the move is tried again after {@link #HANDOVER_RETRY_MS} (an operator's
 *     failover or failback stands for {@link #REQUEST_VALIDITY_MS}). Moves that must happen (shutdown,
 *     standby, fault) go on without the data.</li>
 * <li>RUNNING/STARTING → STOPPING(YIELD) → IDLE: the peer claims it with a newer generation (split
 *     brain after a partition, rule 8; or a stale owner waking from a freeze).</li>
 * <li>RUNNING → STOPPING(RESTART) → STARTING: a monitor failure within the restart limit.</li>
 * <li>ORPHANED → RUNNING or STOPPING(YIELD): services found running at start-up are adopted if this
 *     node may run the group, otherwise stopped at once.</li>
 * <li>RELEASED → IDLE once the peer claims it, or DECLINED for a home group an operator moved away or
 *     that failed here: it does not fail back automatically until an operator asks (failback, join).</li>
 * </ul>
 */
public final class ClusterMachine {
    /** Back-off before a failed handover or start is tried again. */
    static final long RETRY_BACKOFF_MS = 30_000;
    /** Pause before a handover whose bulk pass failed is tried again (automatic failback, operator moves). */
    static final long HANDOVER_RETRY_MS = 5_000;
    /** How long a request to the peer ("give me this group") stands. */
    static final long REQUEST_VALIDITY_MS = 60_000;

    private final String cluster;
    private final String local;
    private final long intervalMs;
    private final long warnMs;
    private final long deadMs;
    private final long initDeadMs;
    private final int pingTotal;
    private final int restartLimit;
    private final int maxFailovers;
    private final long monitorIntervalMs;
    private final long incarnation;
    private final long startedAt;

    private final PeerView peer;
    private final Map<String, LocalGroup> groups = new LinkedHashMap<>();
    private final FailureWindow nodeFailovers;

    private NodeState state;
    private long standbyEpoch;
    private long peerStandbyEpoch;
    private int pingReached;
    private long pingWorseSince = -1;
    private long lastStepAt;
    private long nextHeartbeatAt;
    private long leaveStoppedAt = -1;
    private boolean exitSent;
    private boolean takeoverDeferredReported;
    private boolean dirty;
    private boolean urgentHeartbeat;
    private List<ClusterAction> out = new ArrayList<>();

    /**
     * @param runningAtStart groups whose resources a probe found running before this start
     */
    public ClusterMachine(ClusterConfig config, PersistentState persisted, boolean standbyLock,
                          Set<String> runningAtStart, long incarnation, long now) {
        this.cluster = config.clusterName();
        this.local = config.localNode();
        this.intervalMs = config.timers().heartbeatIntervalMs();
        this.warnMs = config.timers().warnMs();
        this.deadMs = config.timers().deadMs();
        this.initDeadMs = config.timers().initDeadMs();
        this.pingTotal = config.pingNodes().size();
        this.pingReached = pingTotal;
        this.restartLimit = config.failurePolicy().restartLimit();
        this.maxFailovers = config.failurePolicy().maxFailovers();
        this.monitorIntervalMs = config.failurePolicy().monitorIntervalMs();
        this.nodeFailovers = new FailureWindow(config.failurePolicy().windowMs());
        this.incarnation = incarnation;
        this.startedAt = now;
        this.lastStepAt = now;
        this.nextHeartbeatAt = now;
        this.peer = new PeerView(config.peerNode(),
                config.links().stream().map(l -> l.name()).toList(), warnMs, deadMs);
        for (GroupConfig g : config.groups()) {
            LocalGroup lg = new LocalGroup(g, config.failurePolicy().windowMs());
            PersistentState.GroupRecord rec = persisted.group(g.name());
            lg.generation = rec.generation();
            lg.owner = rec.owner();
            lg.lastOwnerAtBoot = local.equals(rec.owner()) && rec.generation() > 0;
            if (runningAtStart.contains(g.name())) {
                lg.phase = GroupPhase.ORPHANED;
            }
            groups.put(g.name(), lg);
        }
        this.standbyEpoch = persisted.standbyEpoch();
        this.peerStandbyEpoch = persisted.peerStandbyEpoch();
        // The lock file is what operators see; an odd epoch without it means the file was lost: stay safe.
        if (standbyLock || StandbyEpoch.isStandby(standbyEpoch)) {
            this.state = NodeState.STANDBY;
            this.standbyEpoch = StandbyEpoch.enter(standbyEpoch);
        } else {
            this.state = NodeState.STARTING;
        }
    }

    /** The actions to carry out right after construction (persist the incarnation, write a missing lock). */
    public List<ClusterAction> start() {
        dirty = true;
        if (state == NodeState.STANDBY) {
            out.add(new ClusterAction.StandbyLock(true));
        }
        return step(lastStepAt, () -> {});
    }

    public List<ClusterAction> handle(ClusterInput input) {
        return step(input.now(), () -> dispatch(input));
    }

    private List<ClusterAction> step(long now, Runnable body) {
        detectPause(now);
        body.run();
        evaluate(now);
        lastStepAt = now;
        if (dirty) {
            out.add(0, new ClusterAction.Persist(persistentState()));
            dirty = false;
        }
        List<ClusterAction> result = out;
        out = new ArrayList<>();
        return result;
    }

    private void dispatch(ClusterInput input) {
        long now = input.now();
        if (input instanceof ClusterInput.HeartbeatReceived h) {
            onHeartbeat(now, h.link(), h.heartbeat());
        } else if (input instanceof ClusterInput.StartDone s) {
            onStartDone(now, s);
        } else if (input instanceof ClusterInput.StopDone s) {
            onStopDone(now, s);
        } else if (input instanceof ClusterInput.MonitorFailed m) {
            onMonitorFailed(now, m);
        } else if (input instanceof ClusterInput.ResyncDone r) {
            onResyncDone(now, r);
        } else if (input instanceof ClusterInput.PingResult p) {
            pingReached = p.reached();
        } else if (input instanceof ClusterInput.Operator o) {
            onCommand(now, o.command());
        }
    }

    // ---------------------------------------------------------------- time

    /**
     * A gap far longer than our own tick period means this daemon did not run (SIGSTOP, swapping, a
     * long GC): the peer's silence during that time is ours, not its. Forgive it, so a node waking
     * from a freeze first listens (and learns that the peer took over) instead of taking over itself.
     */
    private void detectPause(long now) {
        long gap = now - lastStepAt;
        long threshold = Math.max(2 * intervalMs, deadMs / 2);
        if (gap > threshold) {
            peer.forgive(gap);
            emit(new LocalPause(now, local, gap));
        }
    }

    /** The latest time at which the machine wants a {@link ClusterInput.Tick}. */
    public long nextDeadline() {
        long next = nextHeartbeatAt;
        for (LinkHealth l : peer.links().values()) {
            next = Math.min(next, l.nextChangeAt(lastStepAt, warnMs, deadMs));
        }
        if (lastStepAt < startedAt + initDeadMs) {
            next = Math.min(next, startedAt + initDeadMs);
        }
        if (pingWorseSince >= 0) {
            next = Math.min(next, pingWorseSince + deadMs);
        }
        for (LocalGroup g : groups.values()) {
            if (g.retryNotBefore > lastStepAt) {
                next = Math.min(next, g.retryNotBefore);
            }
            if (g.requested) {
                next = Math.min(next, g.requestExpiresAt);
            }
        }
        if (leaveStoppedAt >= 0) {
            next = Math.min(next, leaveStoppedAt + deadMs);
        }
        return Math.max(next, lastStepAt + 1);
    }

    // ---------------------------------------------------------------- inputs

    private void onHeartbeat(long now, String link, Heartbeat hb) {
        if (!hb.node().equals(peer.name()) || !hb.cluster().equals(cluster)) {
            return;
        }
        long before = peer.latest().map(Heartbeat::incarnation).orElse(-1L);
        boolean newIncarnation = peer.receive(now, link, hb);
        if (newIncarnation && before >= 0) {
            emit(new NodeUp(now, local, peer.name(), hb.incarnation()));
        }
        Heartbeat latest = peer.latest().orElseThrow();
        if (latest.standbyEpoch() > peerStandbyEpoch) {
            peerStandbyEpoch = latest.standbyEpoch();
            dirty = true;
        }
        if (latest.peerStandbyEpoch() > standbyEpoch && StandbyEpoch.isStandby(latest.peerStandbyEpoch())) {
            standbyEpoch = latest.peerStandbyEpoch() - 1; // enterStandby bumps it back to the peer's value
            emit(new StandDownOrdered(now, local, peer.name()));
            enterStandby(now, "the peer remembers this node in standby (lock file lost?)");
        }
        for (GroupClaim claim : latest.groups()) {
            LocalGroup g = groups.get(claim.group());
            if (g != null) {
                learnGeneration(now, g, claim);
            }
        }
    }

    /** Rule 1: a node adopts the newest generation it hears of before it may start anything. */
    private void learnGeneration(long now, LocalGroup g, GroupClaim claim) {
        // While we hold the group, our generation is our claim: a newer one is settled by resolveConflict.
        if (claim.generation() > g.generation && !g.phase.isClaim()) {
            g.generation = claim.generation();
            g.owner = claim.status() == ClaimStatus.NONE || claim.status() == ClaimStatus.REQUESTED ? null : peer.name();
            g.lastOwnerAtBoot = false;
            dirty = true;
            if (g.phase == GroupPhase.RELEASED && claim.status().isClaim()) {
                // An operator's move or a fault here: no automatic failback until an operator asks.
                boolean movedAway = (g.handoverReason == HandoverReason.OPERATOR || g.handoverReason == HandoverReason.FAULT)
                        && g.home().equals(local);
                g.phase = movedAway ? GroupPhase.DECLINED : GroupPhase.IDLE;
                urgentHeartbeat = true;
            }
        }
    }

    private void onStartDone(long now, ClusterInput.StartDone s) {
        LocalGroup g = groups.get(s.group());
        if (g == null || g.phase != GroupPhase.STARTING) {
            return; // a stop was decided meanwhile; the stop result will follow
        }
        if (s.ok()) {
            g.phase = GroupPhase.RUNNING;
            g.lastResult = "started";
            emit(new GroupStarted(now, local, g.name(), g.generation));
            if (g.takingOver) {
                emit(new TakeoverCompleted(now, local, g.name(), peer.name(), g.generation));
                g.takingOver = false;
            }
            urgentHeartbeat = true;
            return;
        }
        g.lastResult = "start failed: " + s.detail();
        emit(new GroupFailed(now, local, g.name(), "start failed: " + s.detail()));
        g.phase = GroupPhase.IDLE;
        urgentHeartbeat = true;
        if (g.restarts.record(now) <= restartLimit) {
            startGroup(now, g, "retrying a failed start");
        } else {
            giveUpAfterFailures(now, g);
        }
    }

    /** A group that keeps failing here goes to the peer, and a node that keeps failing goes to standby. */
    private void giveUpAfterFailures(long now, LocalGroup g) {
        g.retryNotBefore = now + Math.max(monitorIntervalMs, intervalMs);
        g.handoverReason = HandoverReason.FAULT;
        if (!g.phase.mayRun()) {
            g.phase = GroupPhase.RELEASED;
        }
        if (nodeFailovers.record(now) >= maxFailovers && state != NodeState.STANDBY) {
            enterStandby(now, "groups failed " + maxFailovers + " times within the failure window");
        }
    }

    private void onStopDone(long now, ClusterInput.StopDone s) {
        LocalGroup g = groups.get(s.group());
        if (g == null || g.phase != GroupPhase.STOPPING) {
            return;
        }
        if (!s.ok()) {
            // Rule 9: we cannot promise the group is down; step aside so the peer can take over.
            g.lastResult = "stop failed: " + s.detail();
            emit(new StopFailed(now, local, g.name(), s.detail()));
            g.handoverReason = HandoverReason.FAULT;
            release(now, g);
            enterStandby(now, "resource of " + g.name() + " failed to stop");
            return;
        }
        emit(new GroupStopped(now, local, g.name(), String.valueOf(g.stopPurpose).toLowerCase()));
        g.lastResult = "stopped";
        switch (g.stopPurpose) {
            case HANDOVER -> {
                if (peer.alive(now)) {
                    g.phase = GroupPhase.RESYNC_FINAL;
                    resync(now, g, ResyncPhase.FINAL);
                } else {
                    release(now, g);
                }
            }
            case RESTART -> {
                g.phase = GroupPhase.IDLE;
                if (mayStart(now, g)) {
                    startGroup(now, g, "restart after a monitor failure");
                }
            }
            case YIELD, SHUTDOWN_ONLY -> g.phase = GroupPhase.IDLE;
        }
        urgentHeartbeat = true;
    }

    private void onMonitorFailed(long now, ClusterInput.MonitorFailed m) {
        LocalGroup g = groups.get(m.group());
        if (g == null || g.phase != GroupPhase.RUNNING) {
            return;
        }
        String detail = "resource " + m.resource() + " not running: " + m.detail();
        g.lastResult = detail;
        emit(new GroupFailed(now, local, g.name(), detail));
        if (g.restarts.record(now) <= restartLimit || !peer.canReceive(now)) {
            stop(now, g, StopPurpose.RESTART, "restart after failure of " + m.resource());
        } else {
            beginHandover(now, g, HandoverReason.FAULT, "restart limit reached");
            if (nodeFailovers.record(now) >= maxFailovers) {
                enterStandby(now, "groups failed " + maxFailovers + " times within the failure window");
            }
        }
    }

    private void onResyncDone(long now, ClusterInput.ResyncDone r) {
        LocalGroup g = groups.get(r.group());
        if (g == null) {
            return;
        }
        boolean expected = r.phase() == ResyncPhase.BULK ? g.phase == GroupPhase.RESYNC_BULK
                : g.phase == GroupPhase.RESYNC_FINAL;
        if (!expected) {
            return;
        }
        boolean mustGo = g.handoverReason == HandoverReason.LEAVING || g.handoverReason == HandoverReason.STANDBY
                || g.handoverReason == HandoverReason.FAULT;
        if (r.ok()) {
            emit(new ResyncCompleted(now, local, g.name(), r.phase(), r.detail()));
        } else {
            emit(new ResyncFailed(now, local, g.name(), r.phase(), r.detail()));
        }
        if (r.phase() == ResyncPhase.BULK) {
            if (r.ok() || mustGo) {
                stop(now, g, StopPurpose.HANDOVER, "handover to " + peer.name());
            } else {
                g.phase = GroupPhase.RUNNING; // keep serving; try again later
                g.retryNotBefore = now + HANDOVER_RETRY_MS;
            }
        } else if (r.ok() || mustGo || !mayStartAgainAfterFailedResync(now)) {
            release(now, g);
        } else {
            g.retryNotBefore = now + RETRY_BACKOFF_MS;
            g.phase = GroupPhase.IDLE;
            startGroup(now, g, "final resync failed; keeping the group here");
        }
    }

    private boolean mayStartAgainAfterFailedResync(long now) {
        return state == NodeState.ACTIVE || state == NodeState.STARTING;
    }

    private void onCommand(long now, Command command) {
        if (command instanceof Command.Standby) {
            if (state == NodeState.STANDBY) {
                reply(true, "already in standby");
            } else {
                enterStandby(now, "operator command");
                reply(true, "entering standby: groups are handed to " + peer.name());
            }
        } else if (command instanceof Command.Join) {
            join(now);
        } else if (command instanceof Command.Failover f) {
            failover(now, f.group());
        } else if (command instanceof Command.Failback f) {
            failback(now, f.group());
        } else if (command instanceof Command.MirrorNow m) {
            reply(false, "mirror passes are run by the node, not the state machine");
        } else if (command instanceof Command.Shutdown) {
            if (state != NodeState.LEAVING) {
                state = NodeState.LEAVING;
                urgentHeartbeat = true;
            }
            reply(true, "shutting down: groups are handed to " + peer.name());
        }
    }

    private void join(long now) {
        if (state != NodeState.STANDBY) {
            reply(false, "not in standby (state " + state + ")");
            return;
        }
        state = now >= startedAt + initDeadMs || peer.alive(now) ? NodeState.ACTIVE : NodeState.STARTING;
        standbyEpoch = StandbyEpoch.leave(standbyEpoch);
        dirty = true;
        out.add(new ClusterAction.StandbyLock(false));
        emit(new StandbyLeft(now, local));
        groups.values().stream().filter(g -> g.phase == GroupPhase.DECLINED).forEach(g -> g.phase = GroupPhase.IDLE);
        pingWorseSince = -1;
        urgentHeartbeat = true;
        reply(true, "joined: " + local + " takes part again");
    }

    private void failover(long now, String name) {
        LocalGroup g = groups.get(name);
        if (g == null) {
            reply(false, "unknown group " + name);
        } else if (g.phase == GroupPhase.RUNNING) {
            if (!peer.canReceive(now)) {
                reply(false, peer.name() + " cannot take " + name + " now (" + peer.describe(now) + ")");
            } else {
                operatorMove(now, g, HandoverReason.OPERATOR);
                beginHandover(now, g, HandoverReason.OPERATOR, "operator failover");
                reply(true, "moving " + name + " to " + peer.name());
            }
        } else if (peer.claims(now, g.name()) && canRun()) {
            request(now, g);
            reply(true, "asked " + peer.name() + " to hand " + name + " over");
        } else {
            reply(false, name + " is " + g.phase + " here and not running on " + peer.name());
        }
    }

    private void failback(long now, String name) {
        LocalGroup g = groups.get(name);
        if (g == null) {
            reply(false, "unknown group " + name);
        } else if (g.home().equals(local)) {
            if (g.phase.isClaim()) {
                reply(true, name + " already runs on its home " + local);
            } else if (!canRun()) {
                reply(false, local + " is " + state + " and cannot take " + name);
            } else if (peer.claims(now, g.name())) {
                request(now, g);
                reply(true, "asked " + peer.name() + " to hand " + name + " back");
            } else {
                g.phase = g.phase == GroupPhase.DECLINED ? GroupPhase.IDLE : g.phase;
                reply(true, name + " will start here when allowed");
            }
        } else if (g.phase == GroupPhase.RUNNING) {
            if (!peer.canReceive(now)) {
                reply(false, "home node " + peer.name() + " cannot take " + name + " now (" + peer.describe(now) + ")");
            } else {
                operatorMove(now, g, HandoverReason.FAILBACK);
                beginHandover(now, g, HandoverReason.FAILBACK, "operator failback");
                reply(true, "handing " + name + " back to " + peer.name());
            }
        } else {
            reply(false, name + " is " + g.phase + " here");
        }
    }

    private static void operatorMove(long now, LocalGroup g, HandoverReason reason) {
        g.operatorMoveUntil = now + REQUEST_VALIDITY_MS;
        g.operatorMoveReason = reason;
    }

    private void request(long now, LocalGroup g) {
        g.requested = true;
        g.requestExpiresAt = now + REQUEST_VALIDITY_MS;
        if (g.phase == GroupPhase.DECLINED) {
            g.phase = GroupPhase.IDLE;
        }
        urgentHeartbeat = true;
    }

    // ---------------------------------------------------------------- the evaluation after every input

    private void evaluate(long now) {
        updateLiveness(now);
        if (state == NodeState.STARTING && (now >= startedAt + initDeadMs || peer.alive(now))) {
            state = NodeState.ACTIVE;
            urgentHeartbeat = true;
        }
        checkPingRule(now);
        for (LocalGroup g : groups.values()) {
            if (g.requested && (now >= g.requestExpiresAt || g.phase.isClaim())) {
                g.requested = false;
            }
            reconcile(now, g);
        }
        checkLeaving(now);
        if (urgentHeartbeat || now >= nextHeartbeatAt) {
            out.add(new ClusterAction.SendHeartbeat());
            nextHeartbeatAt = now + intervalMs;
            urgentHeartbeat = false;
        }
    }

    private void updateLiveness(long now) {
        peer.linkChanges(now, local).forEach(this::emit);
        peer.livenessChange(now, local).ifPresent(e -> {
            emit(e);
            if (e instanceof NodeUp) {
                takeoverDeferredReported = false;
            }
        });
    }

    /** Rule 6: the node that reaches fewer ping nodes than its live peer steps aside. */
    private void checkPingRule(long now) {
        Optional<Heartbeat> hb = peer.latest();
        boolean worse = pingTotal > 0 && state == NodeState.ACTIVE && peer.alive(now) && hb.isPresent()
                && hb.get().state() == NodeState.ACTIVE && hb.get().pingTotal() > 0
                && pingReached < hb.get().pingReached();
        if (!worse) {
            pingWorseSince = -1;
            return;
        }
        if (pingWorseSince < 0) {
            pingWorseSince = now;
        } else if (now - pingWorseSince >= deadMs) {
            emit(new PublicNetworkLost(now, local, pingReached, hb.get().pingReached()));
            enterStandby(now, "public network lost (" + pingReached + " of " + pingTotal + " ping nodes, peer "
                    + hb.get().pingReached() + ")");
            pingWorseSince = -1;
        }
    }

    private void reconcile(long now, LocalGroup g) {
        Optional<GroupClaim> claim = peer.liveClaim(now, g.name());
        ClaimStatus peerStatus = claim.map(GroupClaim::status).orElse(ClaimStatus.NONE);
        switch (g.phase) {
            case STARTING, RUNNING, RESYNC_BULK -> {
                if (resolveConflict(now, g, claim)) {
                    return;
                }
                if (g.phase != GroupPhase.RUNNING) {
                    return;
                }
                if (state == NodeState.LEAVING || state == NodeState.STANDBY) {
                    beginHandover(now, g, state == NodeState.LEAVING ? HandoverReason.LEAVING : HandoverReason.STANDBY,
                            state == NodeState.LEAVING ? "shutdown" : "standby");
                } else if (now >= g.retryNotBefore && peer.canReceive(now)) {
                    if (now < g.operatorMoveUntil) {
                        beginHandover(now, g, g.operatorMoveReason, "operator " + (g.operatorMoveReason
                                == HandoverReason.OPERATOR ? "failover" : "failback") + ", tried again");
                    } else if (peerStatus == ClaimStatus.REQUESTED) {
                        beginHandover(now, g, g.home().equals(peer.name()) ? HandoverReason.FAILBACK : HandoverReason.OPERATOR,
                                peer.name() + " asked for it");
                    } else if (g.home().equals(peer.name()) && g.autoFailback() && peerStatus == ClaimStatus.NONE) {
                        beginHandover(now, g, HandoverReason.FAILBACK, "automatic failback to its home");
                    }
                }
            }
            case ORPHANED -> decideOrphan(now, g, claim);
            case IDLE, RELEASED, DECLINED -> {
                if (mayStart(now, g)) {
                    boolean fromPeer = g.home().equals(peer.name());
                    String takeover = null;
                    if ((fromPeer || peer.name().equals(g.owner)) && !peer.alive(now)) {
                        takeover = "peer silent on every link";
                    } else if (fromPeer && peerStatus == ClaimStatus.RELEASED) {
                        takeover = "released by " + peer.name();
                    } else if (fromPeer) {
                        takeover = peer.name() + " is " + peer.state();
                    }
                    if (takeover != null) {
                        emit(new TakeoverStarted(now, local, g.name(), peer.name(), takeover, !peer.alive(now)));
                    }
                    startGroup(now, g, "may run here");
                    g.takingOver = takeover != null;
                }
            }
            case STOPPING, RESYNC_FINAL -> { }
        }
    }

    /** Rule 8: two claims of one group; the newer generation keeps it (the home node on a tie). */
    private boolean resolveConflict(long now, LocalGroup g, Optional<GroupClaim> claim) {
        boolean conflict = claim.isPresent()
                && (claim.get().status() == ClaimStatus.RUNNING || claim.get().status() == ClaimStatus.STARTING);
        if (!conflict) {
            g.splitBrainReported = false;
            return false;
        }
        long theirs = claim.get().generation();
        boolean peerWins = theirs > g.generation || theirs == g.generation && g.home().equals(peer.name());
        if (!g.splitBrainReported) {
            emit(new SplitBrain(now, local, g.name(), g.generation, theirs, peerWins ? peer.name() : local));
            g.splitBrainReported = true;
        }
        if (peerWins) {
            g.generation = Math.max(g.generation, theirs);
            g.owner = peer.name();
            dirty = true;
            stop(now, g, StopPurpose.YIELD, "split brain: " + peer.name() + " holds generation " + theirs);
            return true;
        }
        return false;
    }

    private void decideOrphan(long now, LocalGroup g, Optional<GroupClaim> claim) {
        if (claim.isPresent() && claim.get().status().isClaim()) {
            emit(new OrphanFound(now, local, g.name(), "stopped, " + peer.name() + " owns it"));
            stop(now, g, StopPurpose.YIELD, "orphan owned by " + peer.name());
        } else if (mayStart(now, g)) {
            emit(new OrphanFound(now, local, g.name(), "adopted"));
            claimGeneration(g);
            g.phase = GroupPhase.RUNNING;
            urgentHeartbeat = true;
        } else if (!canRun() || orphanDecidable(now)) {
            emit(new OrphanFound(now, local, g.name(), "stopped, it belongs elsewhere"));
            stop(now, g, StopPurpose.YIELD, "orphan not ours to run");
        }
        // otherwise: the peer has not yet heard this incarnation; its silence about the group means nothing yet
    }

    /** Whether what the peer says (or its silence) is news about this incarnation of ours. */
    private boolean orphanDecidable(long now) {
        return peer.alive(now) ? peer.knows(incarnation, standbyEpoch) : now >= startedAt + initDeadMs;
    }

    /** Rule 1 and 2: may this node start the group now? */
    private boolean mayStart(long now, LocalGroup g) {
        if (!canRun() || now < g.retryNotBefore) {
            return false;
        }
        boolean alive = peer.alive(now);
        if (!alive) {
            // Rule 2: initDead guards against a peer we never heard; once heard, its silence is news.
            if (state != NodeState.ACTIVE || now < startedAt + initDeadMs && !peer.everHeard()) {
                return false;
            }
            if (pingTotal > 0 && pingReached == 0) {
                if (!takeoverDeferredReported) {
                    emit(new TakeoverDeferred(now, local, "no ping node answers: this node may be the isolated one"));
                    takeoverDeferredReported = true;
                }
                return false;
            }
            return true;
        }
        Optional<GroupClaim> claim = peer.claimOf(g.name());
        ClaimStatus status = claim.map(GroupClaim::status).orElse(ClaimStatus.NONE);
        if (status.isClaim()) {
            return false;
        }
        if (!peer.knows(incarnation, standbyEpoch)) {
            return false; // its claims may predate our start or join (or be a replay): wait one round trip
        }
        if (status == ClaimStatus.RELEASED && claim.get().generation() >= g.generation) {
            return true; // handed to us explicitly
        }
        NodeState peerState = peer.state();
        if (peerState == NodeState.STANDBY || peerState == NodeState.LEAVING) {
            return true;
        }
        boolean peerLast = status == ClaimStatus.LAST_OWNER && claim.get().generation() >= g.generation;
        boolean bothLast = peerLast && g.lastOwnerAtBoot && claim.get().generation() == g.generation;
        if (peerLast && !bothLast) {
            return false; // its copy is newer: it starts the group, and a resync brings it home
        }
        if (g.lastOwnerAtBoot && g.phase == GroupPhase.IDLE && !bothLast) {
            return true; // both nodes came back after this one had taken the group over: the data is here
        }
        return g.home().equals(local) && (g.phase == GroupPhase.IDLE || g.phase == GroupPhase.ORPHANED);
    }

    private boolean canRun() {
        return state == NodeState.ACTIVE || state == NodeState.STARTING;
    }

    private void checkLeaving(long now) {
        if (state != NodeState.LEAVING || exitSent) {
            return;
        }
        boolean allStopped = groups.values().stream().noneMatch(g -> g.phase.isClaim());
        if (!allStopped) {
            return;
        }
        if (leaveStoppedAt < 0) {
            leaveStoppedAt = now;
        }
        boolean handedOver = groups.values().stream().noneMatch(g -> g.phase == GroupPhase.RELEASED);
        if (handedOver || !peer.alive(now) || now >= leaveStoppedAt + deadMs) {
            out.add(new ClusterAction.SendHeartbeat());
            out.add(new ClusterAction.Exit());
            exitSent = true;
        }
    }

    // ---------------------------------------------------------------- transitions

    private void startGroup(long now, LocalGroup g, String why) {
        claimGeneration(g);
        g.phase = GroupPhase.STARTING;
        g.requested = false;
        g.lastResult = "starting: " + why;
        out.add(new ClusterAction.StartGroup(g.name(), g.generation));
        urgentHeartbeat = true;
    }

    /** Same generation when this node already owned the group; the next one on every change of owner. */
    private void claimGeneration(LocalGroup g) {
        boolean sameOwner = local.equals(g.owner) && g.generation > 0
                && g.phase != GroupPhase.RELEASED && g.phase != GroupPhase.DECLINED;
        if (!sameOwner) {
            g.generation++;
            g.owner = local;
        }
        g.lastOwnerAtBoot = false;
        dirty = true;
    }

    private void beginHandover(long now, LocalGroup g, HandoverReason reason, String why) {
        g.handoverReason = reason;
        emit(new HandoverStarted(now, local, g.name(), peer.name(), why));
        if (reason != HandoverReason.FAULT && peer.alive(now)) {
            g.phase = GroupPhase.RESYNC_BULK;
            resync(now, g, ResyncPhase.BULK);
        } else {
            stop(now, g, StopPurpose.HANDOVER, why);
        }
    }

    private void resync(long now, LocalGroup g, ResyncPhase phase) {
        emit(new ResyncStarted(now, local, g.name(), phase, peer.name()));
        out.add(new ClusterAction.Resync(g.name(), phase, peer.name()));
    }

    private void stop(long now, LocalGroup g, StopPurpose purpose, String why) {
        g.phase = GroupPhase.STOPPING;
        g.stopPurpose = purpose;
        g.lastResult = "stopping: " + why;
        out.add(new ClusterAction.StopGroup(g.name(), why));
        urgentHeartbeat = true;
    }

    private void release(long now, LocalGroup g) {
        g.phase = GroupPhase.RELEASED;
        g.operatorMoveUntil = -1;
        g.lastResult = "released to " + peer.name();
        emit(new HandoverCompleted(now, local, g.name(), peer.name()));
        urgentHeartbeat = true;
    }

    private void enterStandby(long now, String reason) {
        if (state == NodeState.STANDBY) {
            return;
        }
        state = NodeState.STANDBY;
        standbyEpoch = StandbyEpoch.enter(standbyEpoch);
        dirty = true;
        out.add(new ClusterAction.StandbyLock(true));
        emit(new StandbyEntered(now, local, reason));
        urgentHeartbeat = true;
        for (LocalGroup g : groups.values()) {
            if (g.phase == GroupPhase.RUNNING) {
                beginHandover(now, g, HandoverReason.STANDBY, "standby: " + reason);
            } else if (g.phase == GroupPhase.ORPHANED) {
                stop(now, g, StopPurpose.YIELD, "standby");
            }
            g.requested = false;
        }
    }

    // ---------------------------------------------------------------- helpers

    private void emit(ClusterEvent event) {
        out.add(new Emit(event));
    }

    private void reply(boolean accepted, String message) {
        out.add(new ClusterAction.Reply(accepted, message));
    }

    // ---------------------------------------------------------------- what the node and the views read

    /** The heartbeat to send now; the node adds nothing but the sequence number and wall time. */
    public Heartbeat heartbeat(long sequence, long wallMillis, long now) {
        List<GroupClaim> claims = groups.values().stream()
                .map(g -> new GroupClaim(g.name(), g.generation, g.announced()))
                .toList();
        return new Heartbeat(cluster, local, incarnation, sequence, wallMillis, state,
                peer.latest().map(Heartbeat::incarnation).orElse(0L), standbyEpoch,
                peerStandbyEpoch, pingReached, pingTotal, peer.linksUp(now), claims);
    }

    public PersistentState persistentState() {
        Map<String, PersistentState.GroupRecord> recs = new LinkedHashMap<>();
        groups.values().forEach(g -> recs.put(g.name(), new PersistentState.GroupRecord(g.generation, g.owner)));
        return new PersistentState(recs, standbyEpoch, peerStandbyEpoch, incarnation);
    }

    /** An immutable picture of the machine for views. */
    public MachineSnapshot snapshot(long now) {
        List<MachineSnapshot.LinkInfo> links = peer.links().values().stream()
                .map(l -> new MachineSnapshot.LinkInfo(l.name(), l.stateAt(now, warnMs, deadMs).name(),
                        l.lastSeenAt() == LinkHealth.NEVER ? -1 : now - l.lastSeenAt()))
                .toList();
        List<MachineSnapshot.GroupInfo> gs = groups.values().stream()
                .map(g -> new MachineSnapshot.GroupInfo(g.name(), g.home(), ownerNow(now, g), g.phase.name(),
                        g.generation, g.lastResult))
                .toList();
        Optional<Heartbeat> hb = peer.latest();
        long heard = peer.lastHeardAt();
        MachineSnapshot.PeerInfo p = new MachineSnapshot.PeerInfo(peer.name(),
                hb.map(h -> peer.alive(now) ? h.state().name() : "DEAD").orElse("UNKNOWN"), peer.alive(now),
                heard == LinkHealth.NEVER ? -1 : now - heard, StandbyEpoch.isStandby(peerStandbyEpoch),
                hb.map(Heartbeat::incarnation).orElse(0L), hb.map(Heartbeat::pingReached).orElse(-1));
        boolean splitBrain = groups.values().stream().anyMatch(g -> g.splitBrainReported);
        return new MachineSnapshot(cluster, local, state.name(), StandbyEpoch.isStandby(standbyEpoch), incarnation,
                pingReached, pingTotal, splitBrain, p, links, gs);
    }

    private String ownerNow(long now, LocalGroup g) {
        if (g.phase.mayRun() && g.phase != GroupPhase.ORPHANED || g.phase == GroupPhase.RESYNC_FINAL) {
            return local;
        }
        return peer.liveClaim(now, g.name()).filter(c -> c.status().isClaim()).map(c -> peer.name()).orElse(null);
    }

    public String localNode() {
        return local;
    }
}
