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
    private final Map<String, LinkHealth> links = new LinkedHashMap<>();
    private Heartbeat latest;
    private boolean reportedAlive;

    PeerView(String name, List<String> linkNames) {
        this.name = name;
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

    boolean aliveAt(long now, long deadMs) {
        long last = lastHeardAt();
        return last != LinkHealth.NEVER && now - last < deadMs;
    }

    boolean everHeard() {
        return latest != null;
    }

    boolean reportedAlive() { return reportedAlive; }

    void reportAlive(boolean alive) { reportedAlive = alive; }

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

    int linksUp(long now, long warnMs, long deadMs) {
        return (int) links.values().stream().filter(l -> l.stateAt(now, warnMs, deadMs) != LinkHealth.State.DOWN).count();
    }
}
