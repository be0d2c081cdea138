package org.clusterd.harness;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class UdpRelayTest {
    private DatagramSocket sender;
    private DatagramSocket receiver;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void openSockets() throws IOException {
        sender = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, 0));
        receiver = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, 0));
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        sender.close();
        receiver.close();
    }

    private UdpRelay relayTo(DatagramSocket target) throws IOException {
        UdpRelay relay = new UdpRelay("test", 0, new InetSocketAddress(FreePorts.LOOPBACK, target.getLocalPort()));
        closeables.add(relay);
        return relay;
    }

    private static void send(DatagramSocket from, int port, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        from.send(new DatagramPacket(bytes, bytes.length, new InetSocketAddress(FreePorts.LOOPBACK, port)));
    }

    /** Receives until {@code quiet} passes without a datagram (bounded by {@code max} datagrams). */
    private static List<String> receiveAll(DatagramSocket socket, int max, Duration quiet) throws IOException {
        List<String> got = new ArrayList<>();
        socket.setSoTimeout((int) quiet.toMillis());
        byte[] buffer = new byte[2048];
        for (int i = 0; i < max; i++) {
            DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
            try {
                socket.receive(packet);
            } catch (SocketTimeoutException e) {
                break;
            }
            got.add(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8));
        }
        return got;
    }

    @Test
    void forwardsDatagramsToTheTargetFromItsOwnPort() throws IOException {
        UdpRelay relay = relayTo(receiver);
        send(sender, relay.port(), "hello");

        receiver.setSoTimeout(5000);
        DatagramPacket packet = new DatagramPacket(new byte[100], 100);
        receiver.receive(packet);

        assertThat(new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8)).isEqualTo("hello");
        assertThat(packet.getPort()).isEqualTo(relay.port());
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.forwarded() == 1);
        assertThat(relay.dropped()).isZero();
    }

    @Test
    void dropsEverythingWhileCutAndForwardsAgainAfterRestore() throws IOException {
        UdpRelay relay = relayTo(receiver);
        relay.cut();
        for (int i = 0; i < 10; i++) {
            send(sender, relay.port(), "cut-" + i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.dropped() == 10);
        relay.restore();
        send(sender, relay.port(), "back");

        assertThat(receiveAll(receiver, 20, Duration.ofMillis(500))).containsExactly("back");
        assertThat(relay.forwarded()).isEqualTo(1);
    }

    @Test
    void losesTheSamePercentageOfDatagramsForTheSameSeed() throws IOException {
        UdpRelay relay = relayTo(receiver);
        List<List<String>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            relay.setLossPercent(30, 42L);
            long droppedBefore = relay.dropped();
            long receivedBefore = relay.received();
            for (int i = 0; i < 200; i++) {
                send(sender, relay.port(), "d" + i);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> relay.received() - receivedBefore == 200);
            runs.add(receiveAll(receiver, 400, Duration.ofMillis(500)));
            assertThat(relay.dropped() - droppedBefore).isEqualTo(200 - runs.get(run).size());
        }
        assertThat(runs.get(0)).hasSizeBetween(100, 180).isEqualTo(runs.get(1));
    }

    @Test
    void delaysDeliveryAndKeepsTheOrderWhenTheDelayShrinks() throws IOException {
        UdpRelay relay = relayTo(receiver);
        relay.setDelayMillis(400);
        long start = System.nanoTime();
        send(sender, relay.port(), "slow-1");
        send(sender, relay.port(), "slow-2");
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.received() == 2);
        relay.setDelayMillis(0);
        send(sender, relay.port(), "fast-3");

        receiver.setSoTimeout(5000);
        DatagramPacket first = new DatagramPacket(new byte[100], 100);
        receiver.receive(first);
        Duration firstAfter = Duration.ofNanos(System.nanoTime() - start);
        List<String> rest = receiveAll(receiver, 10, Duration.ofMillis(500));

        assertThat(firstAfter).isGreaterThanOrEqualTo(Duration.ofMillis(380));
        assertThat(new String(first.getData(), 0, first.getLength(), StandardCharsets.UTF_8)).isEqualTo("slow-1");
        assertThat(rest).containsExactly("slow-2", "fast-3");
    }

    @Test
    void aCutLosesTheDatagramsStillInFlight() throws IOException {
        UdpRelay relay = relayTo(receiver);
        relay.setDelayMillis(300);
        send(sender, relay.port(), "in-flight");
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.received() == 1);
        relay.cut();

        assertThat(receiveAll(receiver, 5, Duration.ofMillis(700))).isEmpty();
        assertThat(relay.dropped()).isEqualTo(1);
    }

    @Test
    void linkRelayCutsBothDirectionsOrOnlyOne() throws IOException {
        LinkRelay link = new LinkRelay("link1",
                0, new InetSocketAddress(FreePorts.LOOPBACK, receiver.getLocalPort()),
                0, new InetSocketAddress(FreePorts.LOOPBACK, sender.getLocalPort()));
        closeables.add(link);
        // "sender" plays node A, "receiver" plays node B.
        send(sender, link.portTowardB(), "a>b");
        send(receiver, link.portTowardA(), "b>a");
        assertThat(receiveAll(receiver, 5, Duration.ofMillis(300))).containsExactly("a>b");
        assertThat(receiveAll(sender, 5, Duration.ofMillis(300))).containsExactly("b>a");

        link.cutOneWay(LinkRelay.Direction.A_TO_B);
        send(sender, link.portTowardB(), "a>b lost");
        send(receiver, link.portTowardA(), "b>a still");
        assertThat(receiveAll(receiver, 5, Duration.ofMillis(300))).isEmpty();
        assertThat(receiveAll(sender, 5, Duration.ofMillis(300))).containsExactly("b>a still");

        link.cut();
        send(receiver, link.portTowardA(), "b>a lost");
        assertThat(receiveAll(sender, 5, Duration.ofMillis(300))).isEmpty();

        link.restore();
        send(sender, link.portTowardB(), "a>b again");
        send(receiver, link.portTowardA(), "b>a again");
        assertThat(receiveAll(receiver, 5, Duration.ofMillis(300))).containsExactly("a>b again");
        assertThat(receiveAll(sender, 5, Duration.ofMillis(300))).containsExactly("b>a again");
        assertThat(link.relay(LinkRelay.Direction.A_TO_B).dropped()).isEqualTo(1);
        assertThat(link.relay(LinkRelay.Direction.B_TO_A).dropped()).isEqualTo(1);
    }

    @Test
    void listensOnTheRequestedPort() throws IOException {
        int port = FreePorts.next();
        UdpRelay relay = new UdpRelay("fixed", port, new InetSocketAddress(FreePorts.LOOPBACK, receiver.getLocalPort()));
        closeables.add(relay);
        assertThat(relay.port()).isEqualTo(port);
    }
}
