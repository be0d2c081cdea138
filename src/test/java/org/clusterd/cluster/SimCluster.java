package org.clusterd.cluster;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;

import org.clusterd.config.ClusterConfig;

/**
 * A deterministic two-node cluster on a fake clock: one event queue ordered by time (ties by
 * insertion), an in-memory network, simulated resources. The same seed replays the same history.
 * After every event it checks that no group's services run on both nodes, except inside windows the
 * test declares excused (total partition, frozen daemon, daemon-only crash: no software can prevent
 * an overlap there without fencing), and records the longest such overlap.
 */
final class SimCluster {
    long now;
    long startMillis = 50;
    long stopMillis = 50;
    long resyncMillis = 30;
    final SimNode a;
    final SimNode b;
    final SimNetwork net;
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
    private long order;
    private final List<String> trace = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private long excusedUntil = -1;
    private boolean excusedOpen;
    long longestOverlap;
    private final java.util.Map<String, Long> overlapSince = new java.util.HashMap<>();

    private record Scheduled(long time, long order, Runnable task) implements Comparable<Scheduled> {
        public int compareTo(Scheduled o) {
            return time != o.time ? Long.compare(time, o.time) : Long.compare(order, o.order);
        }
    }

    SimCluster(long seed, ClusterConfig configA, ClusterConfig configB) {
        Random random = new Random(seed);
        this.net = new SimNetwork(this, random);
        this.a = new SimNode(this, configA);
        this.b = new SimNode(this, configB);
    }

    SimCluster(long seed) {
        this(seed, TestConfigs.node("a"), TestConfigs.node("b"));
    }

    SimNode other(SimNode n) {
        return n == a ? b : a;
    }

    SimNode node(String name) {
        return name.equals("a") ? a : b;
    }

    void at(long time, Runnable task) {
        queue.add(new Scheduled(Math.max(time, now), order++, task));
    }

    /** Runs every event up to and including {@code until}. */
    void runUntil(long until) {
        int guard = 0;
        while (!queue.isEmpty() && queue.peek().time() <= until) {
            if (++guard > 5_000_000) {
                throw new AssertionError("simulation does not settle");
            }
            Scheduled s = queue.poll();
            now = s.time();
            s.task().run();
            checkInvariants();
        }
        now = Math.max(now, until);
    }

    void runFor(long millis) {
        runUntil(now + millis);
    }

    /** Overlaps are excused from now until {@link #endExcuse} plus a settle time. */
    void beginExcuse() {
        excusedOpen = true;
    }

    void endExcuse(long settleMillis) {
        excusedOpen = false;
        excusedUntil = Math.max(excusedUntil, now + settleMillis);
    }

    private void checkInvariants() {
        for (String g : List.of("ga", "gb")) {
            boolean both = a.running.contains(g) && b.running.contains(g);
            if (!both) {
                Long since = overlapSince.remove(g);
                if (since != null) {
                    longestOverlap = Math.max(longestOverlap, now - since);
                }
                continue;
            }
            overlapSince.putIfAbsent(g, now);
            if (!excusedOpen && now > excusedUntil) {
                check(false, "group " + g + " runs on both nodes");
            }
        }
    }

    void check(boolean ok, String what) {
        if (!ok) {
            String v = "t=" + now + " " + what + " [" + a + " " + b + "]";
            violations.add(v);
            trace(v);
        }
    }

    void trace(String line) {
        trace.add("t=" + now + " " + line);
        if (trace.size() > 4000) {
            trace.remove(0);
        }
    }

    List<String> violations() {
        return violations;
    }

    String traceTail(int lines) {
        return String.join("\n", trace.subList(Math.max(0, trace.size() - lines), trace.size()));
    }

    /** Where each group's services run now. */
    String whereRuns(String group) {
        boolean onA = a.running.contains(group);
        boolean onB = b.running.contains(group);
        return onA && onB ? "both" : onA ? "a" : onB ? "b" : "none";
    }
}
