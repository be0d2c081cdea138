package org.clusterd.heartbeat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.clusterd.heartbeat.Wire.ALPHA;
import static org.clusterd.heartbeat.Wire.BETA;
import static org.clusterd.heartbeat.Wire.CLUSTER;
import static org.clusterd.heartbeat.Wire.KEY;
import static org.clusterd.heartbeat.Wire.NOW;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Queue;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;

import org.clusterd.cluster.Heartbeat;
import org.clusterd.config.LinkConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;

/** Real datagrams over 127.0.0.1. Ports are picked free beforehand, as a configuration names fixed ports. */
class UdpHeartbeatTransportTest {

    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW), ZoneOffset.UTC);
    private static final Duration WAIT = Duration.ofSeconds(5);

    private final Deque<AutoCloseable> toClose = new ArrayDeque<>();

    record Received(String link, Heartbeat heartbeat) {}

    @AfterEach
    void closeEverything() throws Exception {
        while (!toClose.isEmpty()) {
            toClose.pop().close();
        }
    }

    private static InetAddress loopback() throws IOException {
        return InetAddress.getByName("127.0.0.1");
    }

    /** Distinct free UDP addresses on 127.0.0.1: all held open together, then released. */
    private static List<InetSocketAddress> freeAddresses(int n) throws IOException {
        List<DatagramSocket> held = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                held.add(new DatagramSocket(new InetSocketAddress(loopback(), 0)));
            }
            return held.stream().map(s -> (InetSocketAddress) s.getLocalSocketAddress()).toList();
        } finally {
            held.forEach(DatagramSocket::close);
        }
    }

    private DatagramSocket socket() throws IOException {
        DatagramSocket socket = new DatagramSocket(new InetSocketAddress(loopback(), 0));
        socket.setSoTimeout((int) WAIT.toMillis()); // a blocking receive never hangs the build
        toClose.push(socket);
        return socket;
    }

    private UdpHeartbeatTransport transport(String local, String peer, LinkConfig... links) {
        UdpHeartbeatTransport transport = new UdpHeartbeatTransport(CLUSTER, local, peer, KEY, List.of(links), CLOCK);
        toClose.push(transport);
        return transport;
    }

    private static LinkStats stats(HeartbeatTransport transport, String link) {
        return transport.stats().stream().filter(s -> s.name().equals(link)).findFirst().orElseThrow();
    }

    private static void send(DatagramSocket from, byte[] datagram, SocketAddress to) throws IOException {
        from.send(new DatagramPacket(datagram, datagram.length, to));
    }

    @Test
    void exchangesHeartbeatsOnEveryLinkInBothDirections() throws IOException {
        List<InetSocketAddress> a = freeAddresses(4);
        InetSocketAddress alpha1 = a.get(0), alpha2 = a.get(1), beta1 = a.get(2), beta2 = a.get(3);
        UdpHeartbeatTransport alpha = transport(ALPHA, BETA,
                new LinkConfig("net1", alpha1, beta1), new LinkConfig("net2", alpha2, beta2));
        UdpHeartbeatTransport beta = transport(BETA, ALPHA,
                new LinkConfig("net1", beta1, alpha1), new LinkConfig("net2", beta2, alpha2));
        Queue<Received> atAlpha = new ConcurrentLinkedQueue<>();
        Queue<Received> atBeta = new ConcurrentLinkedQueue<>();
        alpha.start((link, hb) -> atAlpha.add(new Received(link, hb)));
        beta.start((link, hb) -> atBeta.add(new Received(link, hb)));

        Heartbeat a1 = Wire.heartbeat(ALPHA, 1, 1), a2 = Wire.heartbeat(ALPHA, 1, 2), a4 = Wire.heartbeat(ALPHA, 1, 4);
        alpha.send(a1);
        alpha.send(a2);
        alpha.send(a4); // sequence 3 never sent: counted as lost on both links
        Heartbeat b1 = Wire.heartbeat(BETA, 9, 1);
        beta.send(b1);

        await().atMost(WAIT).untilAsserted(() -> assertThat(atBeta).hasSize(6));
        assertThat(atBeta).containsExactlyInAnyOrder(
                new Received("net1", a1), new Received("net1", a2), new Received("net1", a4),
                new Received("net2", a1), new Received("net2", a2), new Received("net2", a4));
        await().atMost(WAIT).untilAsserted(() -> assertThat(atAlpha).containsExactlyInAnyOrder(
                new Received("net1", b1), new Received("net2", b1)));

        for (String link : List.of("net1", "net2")) {
            LinkStats atB = stats(beta, link);
            assertThat(atB.received()).isEqualTo(3);
            assertThat(atB.lost()).isEqualTo(1);
            assertThat(atB.rejected()).isZero();
            assertThat(atB.sent()).isEqualTo(1);
            assertThat(atB.sendErrors()).isZero();
            assertThat(atB.lastReceivedWallMillis()).isEqualTo(NOW);
            LinkStats atA = stats(alpha, link);
            assertThat(atA.sent()).isEqualTo(3);
            assertThat(atA.received()).isEqualTo(1);
            assertThat(atA.lost()).isZero();
        }
        assertThat(stats(beta, "net1").local()).isEqualTo(beta1);
        assertThat(stats(beta, "net1").peer()).isEqualTo(alpha1);
        assertThat(stats(beta, "net2").local()).isEqualTo(beta2);
        assertThat(beta.stats()).extracting(LinkStats::name).containsExactly("net1", "net2");
    }

    @Test
    void dropsGarbageForgeriesAndReplaysAndCountsThemByReason() throws IOException {
        List<InetSocketAddress> a = freeAddresses(2);
        InetSocketAddress alphaAddress = a.get(0), betaAddress = a.get(1);
        DatagramSocket wire = socket(); // alpha sends to it; it forwards, and later attacks
        UdpHeartbeatTransport alpha = transport(ALPHA, BETA,
                new LinkConfig("net1", alphaAddress, (InetSocketAddress) wire.getLocalSocketAddress()));
        UdpHeartbeatTransport beta = transport(BETA, ALPHA, new LinkConfig("net1", betaAddress, alphaAddress));
        Queue<Received> atBeta = new ConcurrentLinkedQueue<>();
        beta.start((link, hb) -> atBeta.add(new Received(link, hb)));
        alpha.start((link, hb) -> { });

        alpha.send(Wire.heartbeat(ALPHA, 1, 1));
        DatagramPacket captured = new DatagramPacket(new byte[2048], 2048);
        wire.receive(captured);
        byte[] valid = java.util.Arrays.copyOf(captured.getData(), captured.getLength());
        send(wire, valid, betaAddress);
        await().atMost(WAIT).untilAsserted(() -> assertThat(atBeta).hasSize(1));

        byte[] noise = new byte[300];
        new Random(1).nextBytes(noise);
        noise[0] = 0;
        send(wire, "garbage".getBytes(), betaAddress);                                             // TOO_SHORT
        send(wire, noise, betaAddress);                                                            // BAD_MAGIC
        send(wire, new byte[1500], betaAddress);                                                   // TOO_LONG
        send(wire, new HeartbeatCodec(Wire.OTHER_KEY).encode(Wire.heartbeat(ALPHA, 1, 2)), betaAddress); // BAD_MAC
        send(wire, valid, betaAddress);                                                            // REPLAY

        await().atMost(WAIT).untilAsserted(() -> assertThat(stats(beta, "net1").rejected()).isEqualTo(5));
        LinkStats net1 = stats(beta, "net1");
        assertThat(net1.rejected(RejectReason.TOO_SHORT)).isEqualTo(1);
        assertThat(net1.rejected(RejectReason.BAD_MAGIC)).isEqualTo(1);
        assertThat(net1.rejected(RejectReason.TOO_LONG)).isEqualTo(1);
        assertThat(net1.rejected(RejectReason.BAD_MAC)).isEqualTo(1);
        assertThat(net1.rejected(RejectReason.REPLAY)).isEqualTo(1);
        assertThat(net1.rejectedByReason().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(5);
        assertThat(net1.received()).isEqualTo(1);
        assertThat(atBeta).containsExactly(new Received("net1", Wire.heartbeat(ALPHA, 1, 1)));
    }

    @Test
    void logsAFloodOfBadDatagramsOnceAndCountsAllOfThem() throws IOException {
        Logger logger = (Logger) LoggerFactory.getLogger(UdpHeartbeatTransport.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            InetSocketAddress betaAddress = freeAddresses(1).get(0);
            UdpHeartbeatTransport beta = transport(BETA, ALPHA,
                    new LinkConfig("net1", betaAddress, new InetSocketAddress(loopback(), 9)));
            beta.start((link, hb) -> { });
            DatagramSocket attacker = socket();
            int flood = 50;
            for (int i = 0; i < flood; i++) {
                send(attacker, new HeartbeatCodec(Wire.OTHER_KEY).encode(Wire.heartbeat(ALPHA, 1, i)), betaAddress);
            }
            await().atMost(WAIT).untilAsserted(
                    () -> assertThat(stats(beta, "net1").rejected(RejectReason.BAD_MAC)).isEqualTo(flood));
            List<ILoggingEvent> events;
            synchronized (appender) {
                events = List.copyOf(appender.list);
            }
            assertThat(events).filteredOn(e -> e.getLevel() == Level.WARN
                    && e.getFormattedMessage().contains("BAD_MAC")).hasSize(1);
        } finally {
            logger.detachAppender(appender);
        }
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheLink() throws IOException {
        List<InetSocketAddress> a = freeAddresses(2);
        UdpHeartbeatTransport alpha = transport(ALPHA, BETA, new LinkConfig("net1", a.get(0), a.get(1)));
        UdpHeartbeatTransport beta = transport(BETA, ALPHA, new LinkConfig("net1", a.get(1), a.get(0)));
        beta.start((link, hb) -> {
            throw new IllegalStateException("listener bug");
        });
        alpha.start((link, hb) -> { });
        alpha.send(Wire.heartbeat(ALPHA, 1, 1));
        alpha.send(Wire.heartbeat(ALPHA, 1, 2));
        await().atMost(WAIT).untilAsserted(() -> assertThat(stats(beta, "net1").received()).isEqualTo(2));
    }

    @Test
    void countsADatagramItCannotSendAndCarriesOnWithTheOtherLinks() throws IOException {
        List<InetSocketAddress> a = freeAddresses(3);
        UdpHeartbeatTransport alpha = transport(ALPHA, BETA,
                new LinkConfig("net1", a.get(0), InetSocketAddress.createUnresolved("peer.invalid", 694)),
                new LinkConfig("net2", a.get(1), a.get(2)));
        alpha.start((link, hb) -> { });
        alpha.send(Wire.heartbeat(ALPHA, 1, 1));
        assertThat(stats(alpha, "net1").sendErrors()).isEqualTo(1);
        assertThat(stats(alpha, "net1").sent()).isZero();
        assertThat(stats(alpha, "net2").sendErrors()).isZero();
        assertThat(stats(alpha, "net2").sent()).isEqualTo(1);
    }

    @Test
    void aBindFailureNamesTheLinkAndAddressAndReleasesTheOtherLinks() throws IOException {
        DatagramSocket occupier = socket();
        InetSocketAddress taken = (InetSocketAddress) occupier.getLocalSocketAddress();
        List<InetSocketAddress> a = freeAddresses(3);
        UdpHeartbeatTransport alpha = transport(ALPHA, BETA,
                new LinkConfig("net1", a.get(0), a.get(1)), new LinkConfig("net2", taken, a.get(2)));

        assertThatThrownBy(() -> alpha.start((link, hb) -> { }))
                .isInstanceOf(IOException.class)
                .hasMessageContaining("net2")
                .hasMessageContaining("127.0.0.1:" + taken.getPort());
        try (DatagramSocket again = new DatagramSocket(a.get(0))) {
            assertThat(again.getLocalPort()).isEqualTo(a.get(0).getPort()); // net1 was closed again
        }
        occupier.close();
        alpha.start((link, hb) -> { }); // the port is free now: a retry works
        assertThat(stats(alpha, "net2").local()).isEqualTo(taken);
    }

    @Test
    void closeStopsTheReceiveThreadsPromptly() throws IOException {
        List<InetSocketAddress> a = freeAddresses(4);
        UdpHeartbeatTransport alpha = transport(ALPHA, BETA,
                new LinkConfig("closing1", a.get(0), a.get(1)), new LinkConfig("closing2", a.get(2), a.get(3)));
        assertThatThrownBy(() -> alpha.send(Wire.heartbeat(ALPHA, 1, 1))).isInstanceOf(IllegalStateException.class);
        alpha.start((link, hb) -> { });
        assertThat(threadsNamed("clusterd-hb-closing")).hasSize(2).allMatch(Thread::isDaemon);

        long started = System.nanoTime();
        alpha.close();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));
        assertThat(threadsNamed("clusterd-hb-closing")).isEmpty();
        alpha.close(); // idempotent
        assertThatThrownBy(() -> alpha.send(Wire.heartbeat(ALPHA, 1, 1))).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> alpha.start((link, hb) -> { })).isInstanceOf(IllegalStateException.class);
        try (DatagramSocket again = new DatagramSocket(a.get(0))) {
            assertThat(again.isBound()).isTrue(); // the port was released
        }
    }

    @Test
    void statsBeforeStartShowTheConfiguredLinksAndNothingCounted() throws IOException {
        List<InetSocketAddress> a = freeAddresses(2);
        UdpHeartbeatTransport alpha = transport(ALPHA, BETA, new LinkConfig("net1", a.get(0), a.get(1)));
        assertThat(alpha.stats()).singleElement().satisfies(s -> {
            assertThat(s.local()).isEqualTo(a.get(0));
            assertThat(s.peer()).isEqualTo(a.get(1));
            assertThat(List.of(s.sent(), s.received(), s.rejected(), s.lost(), s.sendErrors(),
                    s.lastReceivedWallMillis())).containsOnly(0L);
            assertThat(s.rejectedByReason()).containsOnlyKeys(RejectReason.values()).containsValues(0L);
        });
        assertThat(alpha.toString()).contains("alpha", "beta", "net1");
    }

    @Test
    void refusesAConfigurationItCannotServe() {
        InetSocketAddress any = new InetSocketAddress(694);
        assertThatThrownBy(() -> new UdpHeartbeatTransport(CLUSTER, ALPHA, BETA, KEY, List.of(), CLOCK))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UdpHeartbeatTransport(CLUSTER, ALPHA, BETA, KEY,
                List.of(new LinkConfig("net1", any, any), new LinkConfig("net1", any, any)), CLOCK))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new UdpHeartbeatTransport(CLUSTER, ALPHA, ALPHA, KEY,
                List.of(new LinkConfig("net1", any, any)), CLOCK))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static List<Thread> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith(prefix) && t.isAlive()).toList();
    }
}
