package org.clusterd.cluster;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The heartbeat links between the two simulated nodes, each direction with its own filters: cut,
 * loss percentage and delay. Datagrams may be lost and reordered, as on a real network.
 */
final class SimNetwork {
    static final List<String> LINKS = List.of("l1", "l2");

    private final SimCluster sim;
    private final Random random;
    private final Map<String, Boolean> cut = new HashMap<>();
    private final Map<String, Integer> lossPercent = new HashMap<>();
    private final Map<String, Long> delay = new HashMap<>();

    SimNetwork(SimCluster sim, Random random) {
        this.sim = sim;
        this.random = random;
    }

    private static String key(String link, String from) {
        return link + ":" + from;
    }

    void cut(String link, String from, boolean isCut) {
        cut.put(key(link, from), isCut);
    }

    void cutAll(boolean isCut) {
        for (String l : LINKS) {
            cut(l, "a", isCut);
            cut(l, "b", isCut);
        }
    }

    void loss(String link, String from, int percent) {
        lossPercent.put(key(link, from), percent);
    }

    void delay(String link, String from, long millis) {
        delay.put(key(link, from), millis);
    }

    void heal() {
        cut.clear();
        lossPercent.clear();
        delay.clear();
    }

    /** True when no heartbeat can pass in at least one direction. */
    boolean partitioned() {
        return LINKS.stream().allMatch(l -> cut.getOrDefault(key(l, "a"), false))
                || LINKS.stream().allMatch(l -> cut.getOrDefault(key(l, "b"), false));
    }

    void send(SimNode from, Heartbeat hb) {
        SimNode to = sim.other(from);
        for (String link : LINKS) {
            String k = key(link, from.name);
            if (cut.getOrDefault(k, false) || random.nextInt(100) < lossPercent.getOrDefault(k, 0)) {
                continue;
            }
            long d = delay.getOrDefault(k, 0L) + random.nextInt(3);
            sim.at(sim.now + d, () -> to.deliver(new ClusterInput.HeartbeatReceived(sim.now, link, hb)));
        }
    }
}
