package org.clusterd.resource;

import org.clusterd.config.PingNode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PingCheckerTest {
    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void countsTheNodesThatAnswerAndNeverThrowsOnABadHost() throws IOException {
        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            PingNode listening = new PingNode(PingNode.Kind.TCP, "127.0.0.1", open.getLocalPort());
            PingNode closed = new PingNode(PingNode.Kind.TCP, "127.0.0.1", closedPort());
            PingNode unresolvable = new PingNode(PingNode.Kind.TCP, "no-such-host.invalid", 80);
            PingNode badIcmp = new PingNode(PingNode.Kind.ICMP, "no-such-host.invalid", 0);
            PingNode badPort = new PingNode(PingNode.Kind.TCP, "127.0.0.1", 70_000);
            PingNode loopback = new PingNode(PingNode.Kind.ICMP, "127.0.0.1", 0);
            try (PingChecker checker = new PingChecker(
                    List.of(listening, closed, unresolvable, badIcmp, badPort, loopback))) {

                Map<PingNode, Boolean> answers = checker.check(Duration.ofSeconds(2));

                assertThat(answers).containsExactly(Map.entry(listening, true), Map.entry(closed, false),
                        Map.entry(unresolvable, false), Map.entry(badIcmp, false), Map.entry(badPort, false),
                        Map.entry(loopback, true));
                assertThat(checker.reachable(Duration.ofSeconds(2))).isEqualTo(2);
            }
        }
    }

    @Test
    void aNodeThatDoesNotAnswerInTimeCountsAsUnreachableAndTheCallReturnsInAboutTheTimeout() throws IOException {
        // 192.0.2.0/24 is TEST-NET-1: never routed, so the connect hangs (or fails fast without a route)
        PingNode blackhole = new PingNode(PingNode.Kind.TCP, "192.0.2.1", 9);
        try (ServerSocket open = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             PingChecker checker = new PingChecker(List.of(
                     blackhole, new PingNode(PingNode.Kind.TCP, "127.0.0.1", open.getLocalPort())))) {
            long t0 = System.nanoTime();

            int reachable = checker.reachable(Duration.ofMillis(500));

            long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
            assertThat(reachable).isEqualTo(1);
            assertThat(elapsedMs).isLessThan(3_000);
        }
    }

    @Test
    void noPingNodesMeansNoneReachable() {
        try (PingChecker checker = new PingChecker(List.of())) {
            assertThat(checker.reachable(Duration.ofMillis(100))).isZero();
        }
    }
}
