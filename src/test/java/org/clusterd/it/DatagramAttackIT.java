package org.clusterd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.it.ClusterFixture.ALPHA;
import static org.clusterd.it.ClusterFixture.BETA;
import static org.clusterd.it.ClusterFixture.MAIL;
import static org.clusterd.it.ClusterFixture.NODES;
import static org.clusterd.it.ClusterFixture.WEB;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.clusterd.cluster.Heartbeat;
import org.clusterd.cluster.Heartbeat.ClaimStatus;
import org.clusterd.cluster.Heartbeat.GroupClaim;
import org.clusterd.cluster.NodeState;
import org.clusterd.harness.FreePorts;
import org.clusterd.heartbeat.HeartbeatCodec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third process on the host sends forged (wrong key), replayed (real heartbeats captured by a
 * tap and sent again) and garbage datagrams straight to the nodes' link ports. Nothing may change
 * but the rejected counters.
 */
@Timeout(180)
class DatagramAttackIT {
    private static final Duration WITHIN = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    /** A heartbeat "from" {@code node} claiming both groups at a huge generation, under a wrong key. */
    private static byte[] forged(String node, long sequence) {
        byte[] wrongKey = new byte[32];
        new Random(sequence).nextBytes(wrongKey);
        long now = System.currentTimeMillis();
        Heartbeat hb = new Heartbeat("it", node, now + 1_000_000, sequence, now, NodeState.ACTIVE, 0, 0, 0, 0, 0, 2,
                List.of(new GroupClaim(WEB, 1_000_000, ClaimStatus.RUNNING),
                        new GroupClaim(MAIL, 1_000_000, ClaimStatus.RUNNING)));
        return new HeartbeatCodec(wrongKey).encode(hb);
    }

    private static List<byte[]> garbage() {
        Random random = new Random(7);
        List<byte[]> out = new ArrayList<>();
        out.add(new byte[0]);
        out.add(new byte[] {0});
        out.add("hello".getBytes(StandardCharsets.US_ASCII));
        for (int len : new int[] {3, 40, 120, 700, 1400, 1500, 4000}) {
            byte[] b = new byte[len];
            random.nextBytes(b);
            out.add(b);
            byte[] magic = b.clone();
            if (len >= 5) {
                System.arraycopy("CLHB".getBytes(StandardCharsets.US_ASCII), 0, magic, 0, 4);
                magic[4] = HeartbeatCodec.VERSION;
                out.add(magic);
            }
        }
        return out;
    }

    private static long rejected(JsonNode status) {
        long sum = 0;
        for (JsonNode l : status.path("links")) {
            sum += l.path("rejected").asLong();
        }
        return sum;
    }

    @Test
    void forgedReplayedAndGarbageDatagramsChangeNothingButTheRejectedCounters() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir, ClusterFixture.options().timers(ClusterFixture.Timers.FAST)
                .tapped().name("forgedReplayedAndGarbageDatagrams"))) {
            c.startSteady();
            Map<String, ClusterFixture.LogMark> marks = c.markAll();
            long rejectedBefore = rejected(c.status(ALPHA)) + rejected(c.status(BETA));

            List<byte[]> attack = new ArrayList<>();
            for (int i = 1; i <= 20; i++) {
                attack.add(forged(BETA, i));
                attack.add(forged(ALPHA, i));
            }
            // Real heartbeats of both nodes, captured on their way: every one is old news when re-sent.
            List<byte[]> replays = new ArrayList<>();
            for (int link = 0; link < c.linkCount(); link++) {
                for (String from : NODES) {
                    replays.addAll(c.tap(link, from).captured());
                }
            }
            assertThat(replays).as("the taps captured real heartbeats").hasSizeGreaterThan(20);
            attack.addAll(replays);
            // A real heartbeat with one bit of its MAC flipped: forged content under the right format.
            byte[] flipped = replays.get(replays.size() - 1).clone();
            flipped[flipped.length - 1] ^= 1;
            attack.add(flipped);
            attack.addAll(garbage());

            try (DatagramSocket attacker = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, 0))) {
                for (int round = 0; round < 3; round++) {
                    for (byte[] d : attack) {
                        for (String target : NODES) {
                            for (int link = 0; link < c.linkCount(); link++) {
                                attacker.send(new DatagramPacket(d, d.length,
                                        new InetSocketAddress(FreePorts.LOOPBACK, c.linkPort(target, link))));
                            }
                        }
                    }
                    // Replayed again later: still rejected.
                    Faults.lasting(Duration.ofMillis(300));
                }
            }

            c.holdsFor("each group stays home", Duration.ofSeconds(3),
                    () -> c.runningNow(WEB).equals(Set.of(ALPHA)) && c.runningNow(MAIL).equals(Set.of(BETA)));
            c.assertNothingMovedAfter(marks);
            for (String n : NODES) {
                for (String event : List.of("LinkDown", "StandDownOrdered", "StandbyEntered")) {
                    assertThat(c.eventsAfter(marks.get(n), event)).as(n + " logs no " + event).isEmpty();
                }
                for (String reason : List.of("BAD_MAC", "REPLAY", "TOO_SHORT", "BAD_MAGIC")) {
                    assertThat(c.logLines(n, "dropped .*" + reason)).as(n + " reports " + reason + " drops").isNotEmpty();
                }
            }
            long rejectedAfter = rejected(c.status(ALPHA)) + rejected(c.status(BETA));
            Measurements.report("forgedReplayedAndGarbageDatagrams", "rejected counters (both nodes, all links)",
                    rejectedBefore + " -> " + rejectedAfter + " after " + 3 * attack.size() * 2 * c.linkCount()
                            + " bad datagrams");
            assertThat(rejectedAfter - rejectedBefore).isGreaterThanOrEqualTo(3L * attack.size() * 2 * c.linkCount() / 2);
            c.assertNeverTwoOwners();
        }
    }
}
