package org.clusterd.cluster;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The peer as this node sees it from its heartbeats: alive while heard on any link within deadTime,
 * its newest heartbeat (by incarnation, then sequence, since links may reorder), and its links' health.
 */
final class PeerView {
    private final String name;
    private final long warnMs;
    private final long deadMs;
    private final Map<String, LinkHealth> links = new LinkedHashMap<>();
    private Heartbeat latest;
    private boolean reportedAlive;

    PeerView(String name, List<String> linkNames, long warnMs, long deadMs) {
        this.name = name;
        this.warnMs = warnMs;
        this.deadMs = deadMs;
        linkNames.forEach(l -> links.put(l, new LinkHealth(l)));
    }

    String name() { return name; }

    Map<String, LinkHealth> links() { return links; }

    /** Records a heartbeat; returns true when it starts a new incarnation of the peer. */
    boolean receive(long now, String link, Heartbeat hb) {
        LinkHealth health = links.get(link);
        if (health != null) {
            health.seen(now);
        }
        boolean newIncarnation = latest == null || hb.incarnation() > latest.incarnation();
        if (newIncarnation || (hb.incarnation() == latest.incarnation() && hb.sequence() > latest.sequence())) {
            latest = hb;
        }
        return newIncarnation;
    }

    long lastHeardAt() {
        return links.values().stream().mapToLong(LinkHealth::lastSeenAt).max().orElse(LinkHealth.NEVER);
    }

    /** Alive while heard on any link within deadTime. */
    boolean alive(long now) {
        long last = lastHeardAt();
        return last != LinkHealth.NEVER && now - last < deadMs;
    }

    /** The peer's claim of a group, only while it is alive (a dead peer's claims are stale). */
    Optional<Heartbeat.GroupClaim> liveClaim(long now, String group) {
        return alive(now) ? claimOf(group) : Optional.empty();
    }

    boolean claims(long now, String group) {
        return liveClaim(now, group).map(c -> c.status().isClaim()).orElse(false);
    }

    /** Alive and taking part (not in standby, not leaving): it may be handed a group. */
    boolean canReceive(long now) {
        NodeState s = state();
        return alive(now) && (s == NodeState.ACTIVE || s == NodeState.STARTING);
    }

    String describe(long now) {
        return alive(now) ? "it is " + state() : "it is not alive";
    }

    /**
     * True when its newest heartbeat was sent after it heard this incarnation in this standby epoch:
     * only then do its claims (or their absence) account for us.
     */
    boolean knows(long incarnation, long standbyEpoch) {
        return latest != null && latest.peerIncarnation() == incarnation && latest.peerStandbyEpoch() == standbyEpoch;
    }

    /** LinkDown/LinkUp events for links whose state crossed DOWN since the last call. */
    List<ClusterEvent> linkChanges(long now, String local) {
        List<ClusterEvent> events = new java.util.ArrayList<>();
        for (LinkHealth l : links.values()) {
            LinkHealth.State s = l.stateAt(now, warnMs, deadMs);
            boolean wasDown = l.reported() == LinkHealth.State.DOWN;
            if (s == LinkHealth.State.DOWN && !wasDown) {
                events.add(new ClusterEvent.LinkDown(now, local, l.name(), now - l.lastSeenAt()));
            } else if (s != LinkHealth.State.DOWN && wasDown) {
                events.add(new ClusterEvent.LinkUp(now, local, l.name()));
            }
            l.report(s);
        }
        return events;
    }

    /** NodeUp/NodeDown when the peer's liveness changed since the last call. */
    Optional<ClusterEvent> livenessChange(long now, String local) {
        boolean alive = alive(now);
        Optional<ClusterEvent> change = Optional.empty();
        if (alive && !reportedAlive) {
            change = Optional.of(new ClusterEvent.NodeUp(now, local, name, latest == null ? 0 : latest.incarnation()));
        } else if (!alive && reportedAlive) {
            change = Optional.of(new ClusterEvent.NodeDown(now, local, name, "silent on every link for " + deadMs + " ms"));
        }
        reportedAlive = alive;
        return change;
    }

    boolean everHeard() {
        return latest != null;
    }

    void forgive(long pausedMillis) {
        links.values().forEach(l -> l.forgive(pausedMillis));
    }

    Optional<Heartbeat> latest() {
        return Optional.ofNullable(latest);
    }

    Optional<Heartbeat.GroupClaim> claimOf(String group) {
        if (latest == null) {
            return Optional.empty();
        }
        return latest.groups().stream().filter(c -> c.group().equals(group)).findFirst();
    }

    NodeState state() {
        return latest == null ? NodeState.STARTING : latest.state();
    }

    int linksUp(long now) {
        return (int) links.values().stream().filter(l -> l.stateAt(now, warnMs, deadMs) != LinkHealth.State.DOWN).count();
    }
}
