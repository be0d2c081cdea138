package org.clusterd.harness;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The history of which node served which group, read from the journal that
 * {@link org.clusterd.demo.DemoService} instances append to
 * ({@code START|TICK|STOP NODE GROUP EPOCH_MILLIS PID}, one per line).
 *
 * <p>Each service process (node, group, pid) yields one or more {@link Interval}s: from its
 * START (or first TICK) to its STOP (or last TICK, when it was killed or is still running).
 * A silence longer than {@code maxTickGapMillis} between two records of one process (it was
 * frozen) splits its interval: the journal does not prove it served meanwhile.
 *
 * <p>Intervals are what the journal proves, so they can end up to one tick
 * ({@value org.clusterd.demo.DemoService#TICK_MILLIS} ms) before a killed service really
 * stopped; {@link #overlaps(String, long)} takes a tolerance for that granularity.
 */
public final class Journal {
    public static final long DEFAULT_MAX_TICK_GAP_MILLIS = 1000;

    public enum Kind { START, TICK, STOP }

    public record Entry(Kind kind, String node, String group, long millis, long pid) {
    }

    /** One stretch of time in which {@code node} served {@code group} (bounds inclusive). */
    public record Interval(String node, String group, long pid, long startMillis, long endMillis, boolean stopped) {
        public long durationMillis() {
            return endMillis - startMillis;
        }

        public boolean contains(long millis) {
            return startMillis <= millis && millis <= endMillis;
        }
    }

    /** A stretch of time in which two different nodes both served {@code group}. */
    public record Overlap(String group, String node1, String node2, long startMillis, long endMillis) {
        public long durationMillis() {
            return endMillis - startMillis;
        }

        @Override
        public String toString() {
            return "Overlap[" + group + " served by " + node1 + " and " + node2 + " for " + durationMillis()
                    + " ms from " + startMillis + " to " + endMillis + "]";
        }
    }

    private final List<Entry> entries;
    private final List<Interval> intervals;

    private Journal(List<Entry> entries, List<Interval> intervals) {
        this.entries = List.copyOf(entries);
        this.intervals = List.copyOf(intervals);
    }

    /** Reads {@code file} (a missing file is an empty journal) with the default tick gap. */
    public static Journal read(Path file) throws IOException {
        return read(file, DEFAULT_MAX_TICK_GAP_MILLIS);
    }

    public static Journal read(Path file, long maxTickGapMillis) throws IOException {
        List<String> lines = Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
        return parse(lines, maxTickGapMillis);
    }

    public static Journal parse(List<String> lines) {
        return parse(lines, DEFAULT_MAX_TICK_GAP_MILLIS);
    }

    /** @throws IllegalArgumentException naming the line of the first malformed line */
    public static Journal parse(List<String> lines, long maxTickGapMillis) {
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (!line.isEmpty()) {
                entries.add(parseLine(line, i + 1));
            }
        }
        return new Journal(entries, intervalsOf(entries, maxTickGapMillis));
    }

    public List<Entry> entries() {
        return entries;
    }

    /** All intervals, ordered by start. */
    public List<Interval> intervals() {
        return intervals;
    }

    public List<Interval> intervals(String group) {
        return intervals.stream().filter(i -> i.group().equals(group)).toList();
    }

    /** Overlaps of {@code group} of any length (longer than 0 ms). */
    public List<Overlap> overlaps(String group) {
        return overlaps(group, 0);
    }

    /**
     * Periods in which two different nodes both served {@code group}, keeping only those longer
     * than {@code toleranceMillis}; ordered by start. A negative tolerance also reports
     * intervals that merely touch.
     */
    public List<Overlap> overlaps(String group, long toleranceMillis) {
        List<Interval> of = intervals(group);
        List<Overlap> overlaps = new ArrayList<>();
        for (int i = 0; i < of.size(); i++) {
            for (int j = i + 1; j < of.size(); j++) {
                Interval a = of.get(i);
                Interval b = of.get(j);
                if (a.node().equals(b.node())) {
                    continue;
                }
                long start = Math.max(a.startMillis(), b.startMillis());
                long end = Math.min(a.endMillis(), b.endMillis());
                if (end >= start && end - start > toleranceMillis) {
                    overlaps.add(new Overlap(group, a.node(), b.node(), start, end));
                }
            }
        }
        overlaps.sort(Comparator.comparingLong(Overlap::startMillis));
        return overlaps;
    }

    /** Length of the longest overlap of {@code group}, 0 if there is none. */
    public long maxOverlapMillis(String group) {
        return overlaps(group).stream().mapToLong(Overlap::durationMillis).max().orElse(0);
    }

    /** Nodes that served {@code group} at {@code millis}. */
    public Set<String> servingNodesAt(String group, long millis) {
        return intervals(group).stream().filter(i -> i.contains(millis)).map(Interval::node)
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * The node that served {@code group} at {@code millis}, if one did.
     *
     * @throws IllegalStateException if two nodes did (a split brain; see {@link #servingNodesAt})
     */
    public Optional<String> servingNodeAt(String group, long millis) {
        Set<String> nodes = servingNodesAt(group, millis);
        if (nodes.size() > 1) {
            throw new IllegalStateException(group + " was served by " + nodes + " at " + millis);
        }
        return nodes.stream().findFirst();
    }

    @Override
    public String toString() {
        return "Journal[" + entries.size() + " entries, intervals=" + intervals + "]";
    }

    private static Entry parseLine(String line, int number) {
        String[] f = line.split(" ");
        try {
            if (f.length != 5) {
                throw new IllegalArgumentException("expected 5 fields");
            }
            return new Entry(Kind.valueOf(f[0]), f[1], f[2], Long.parseLong(f[3]), Long.parseLong(f[4]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("journal line " + number + " is malformed (" + e.getMessage()
                    + "): " + line, e);
        }
    }

    private record Instance(String node, String group, long pid) {
    }

    private static List<Interval> intervalsOf(List<Entry> entries, long maxTickGapMillis) {
        Map<Instance, List<Entry>> byInstance = new LinkedHashMap<>();
        for (Entry e : entries) {
            byInstance.computeIfAbsent(new Instance(e.node(), e.group(), e.pid()), k -> new ArrayList<>()).add(e);
        }
        List<Interval> intervals = new ArrayList<>();
        for (Map.Entry<Instance, List<Entry>> instance : byInstance.entrySet()) {
            Instance key = instance.getKey();
            List<Entry> records = new ArrayList<>(instance.getValue());
            records.sort(Comparator.comparingLong(Entry::millis));
            Entry first = null;
            Entry last = null;
            for (Entry e : records) {
                if (first != null && e.millis() - last.millis() > maxTickGapMillis) {
                    intervals.add(new Interval(key.node(), key.group(), key.pid(), first.millis(), last.millis(), false));
                    first = null;
                }
                if (first == null) {
                    first = e;
                }
                last = e;
                if (e.kind() == Kind.STOP) {
                    intervals.add(new Interval(key.node(), key.group(), key.pid(), first.millis(), e.millis(), true));
                    first = null;
                }
            }
            if (first != null) {
                intervals.add(new Interval(key.node(), key.group(), key.pid(), first.millis(), last.millis(), false));
            }
        }
        intervals.sort(Comparator.comparingLong(Interval::startMillis));
        return intervals;
    }
}
