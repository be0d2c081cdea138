package org.clusterd.heartbeat;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.clusterd.cluster.Heartbeat;
import org.clusterd.cluster.Heartbeat.ClaimStatus;
import org.clusterd.cluster.Heartbeat.GroupClaim;
import org.clusterd.cluster.NodeState;

/** Seeded random heartbeats that the codec can encode (they fit in a datagram). */
final class RandomHeartbeats {

    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789-_.äöüßéñ日本語ノード🚀Ω";

    private RandomHeartbeats() {}

    static Heartbeat next(Random random) {
        String cluster = name(random);
        String node = name(random);
        int groupCount = random.nextInt(12);
        Set<String> names = new LinkedHashSet<>();
        while (names.size() < groupCount) {
            names.add(name(random));
        }
        List<GroupClaim> groups = new ArrayList<>();
        for (String g : names) {
            groups.add(new GroupClaim(g, nonNegative(random), ClaimStatus.values()[random.nextInt(6)]));
        }
        return new Heartbeat(cluster, node, nonNegative(random), nonNegative(random), nonNegative(random),
                NodeState.values()[random.nextInt(NodeState.values().length)], 0L, nonNegative(random),
                nonNegative(random), random.nextInt(0x10000), random.nextInt(0x10000), random.nextInt(0x10000), groups);
    }

    private static long nonNegative(Random random) {
        return switch (random.nextInt(3)) {
            case 0 -> random.nextInt(10);
            case 1 -> Long.MAX_VALUE - random.nextInt(3);
            default -> random.nextLong() & Long.MAX_VALUE;
        };
    }

    /** 1 to 16 code points of mixed width: at most 64 bytes of UTF-8. */
    private static String name(Random random) {
        int[] codePoints = ALPHABET.codePoints().toArray();
        StringBuilder sb = new StringBuilder();
        int length = 1 + random.nextInt(16);
        for (int i = 0; i < length; i++) {
            sb.appendCodePoint(codePoints[random.nextInt(codePoints.length)]);
        }
        return sb.toString();
    }
}
