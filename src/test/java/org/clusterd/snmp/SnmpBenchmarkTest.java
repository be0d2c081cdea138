package org.clusterd.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

import org.clusterd.cluster.ClusterEvent;
import org.clusterd.harness.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.snmp4j.CommandResponder;
import org.snmp4j.CommandResponderEvent;
import org.snmp4j.CommunityTarget;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * Numbers for the report, printed and not asserted (beyond "it worked"): a full walk of CLUSTERD-MIB
 * (two nodes, two links, four groups, eight mirror sets: 151 objects) next to net-snmp's snmpd
 * serving a comparable number (system + interfaces + snmp groups), run alternately; GETs per second
 * from one client thread; event-to-trap latency. Timings move between runs: compare the ratio.
 */
class SnmpBenchmarkTest {
    static final int ROUNDS = 11;

    @TempDir
    Path dir;

    @Test
    void walkGetAndTrapNumbers() throws Exception {
        Process snmpd = null;
        try (FakeClusterService service = new FakeClusterService(TestViews.sample());
             Receiver receiver = new Receiver();
             SnmpAgent agent = AgentFixture.start(service, List.of(AgentFixture.v2cTrap(receiver.port)))) {
            int snmpdPort = FreePorts.next();
            snmpd = startSnmpd(snmpdPort);
            String snmpdEndpoint = "udp:127.0.0.1:" + snmpdPort;

            List<String> ours = walkArgs(AgentFixture.COMMUNITY, agent.endpoint(), "1.3.6.1.4.1.32473.1");
            List<String> theirs = walkArgs("bench", snmpdEndpoint, "1.3.6.1.2.1");
            int oursCount = count(NetSnmp.run("snmpwalk", ours));
            int theirsCount = count(NetSnmp.run("snmpwalk", theirs));
            assertThat(oursCount).isEqualTo(151);
            assertThat(theirsCount).isPositive();

            List<Long> a = new ArrayList<>();
            List<Long> b = new ArrayList<>();
            List<Long> ab = new ArrayList<>();
            List<Long> bb = new ArrayList<>();
            List<Long> av3 = new ArrayList<>();
            List<Long> asym = new ArrayList<>();
            List<String> oursSymbolic = NetSnmp.v2c(AgentFixture.COMMUNITY, agent.endpoint(), "CLUSTERD-MIB::clusterdMIB");
            List<String> oursV3 = new ArrayList<>(NetSnmp.v3(AgentFixture.USER, AgentFixture.AUTH, AgentFixture.PRIV,
                    agent.endpoint(), "-On", "1.3.6.1.4.1.32473.1"));
            oursV3.set(oursV3.indexOf("CLUSTERD-MIB:SNMPv2-MIB"), "");
            for (int i = 0; i < 5; i++) { // warm-up: JIT of the agent, page cache of the tools
                NetSnmp.run("snmpwalk", ours);
                NetSnmp.run("snmpwalk", theirs);
            }
            for (int i = 0; i < ROUNDS; i++) {
                a.add(NetSnmp.run("snmpwalk", ours).millis());
                b.add(NetSnmp.run("snmpwalk", theirs).millis());
                ab.add(NetSnmp.run("snmpbulkwalk", ours).millis());
                bb.add(NetSnmp.run("snmpbulkwalk", theirs).millis());
                av3.add(NetSnmp.run("snmpwalk", oursV3).millis());
                asym.add(NetSnmp.run("snmpwalk", oursSymbolic).millis());
            }
            System.out.printf("BENCH full walk (snmpwalk, GETNEXT, v2c, numeric, process start included): clusterd %d objects median %d ms,"
                    + " snmpd %d objects median %d ms, ratio %.2f%n", oursCount, median(a), theirsCount, median(b),
                    (double) median(a) / median(b));
            System.out.printf("BENCH full walk (snmpbulkwalk, v2c): clusterd median %d ms, snmpd median %d ms, ratio %.2f%n",
                    median(ab), median(bb), (double) median(ab) / median(bb));
            System.out.printf("BENCH full walk (snmpwalk, v3 authPriv SHA-256/AES-128, numeric): clusterd median %d ms%n", median(av3));
            System.out.printf("BENCH full walk (snmpwalk, v2c, symbolic with CLUSTERD-MIB loaded): clusterd median %d ms%n", median(asym));

            double oursRate = getsPerSecond(agent.endpoint(), AgentFixture.COMMUNITY, "1.3.6.1.4.1.32473.1.1.6.1.7.1");
            double theirsRate = getsPerSecond(snmpdEndpoint, "bench", "1.3.6.1.2.1.1.5.0");
            System.out.printf("BENCH GET/s, one snmp4j client thread, 2 s: clusterd %.0f, snmpd %.0f%n", oursRate, theirsRate);
            double oursNext = nextPerSecond(agent.endpoint(), AgentFixture.COMMUNITY, "1.3.6.1.4.1.32473.1.1.6.1.7.1");
            double theirsNext = nextPerSecond(snmpdEndpoint, "bench", "1.3.6.1.2.1.1.5.0");
            System.out.printf("BENCH GETNEXT/s, one snmp4j client thread, 1 s: clusterd %.0f, snmpd %.0f%n", oursNext, theirsNext);

            List<Long> latencies = new ArrayList<>();
            receiver.received.clear();
            for (int i = 0; i < 30; i++) {
                long t0 = System.nanoTime();
                service.push(new ClusterEvent.TakeoverStarted(System.currentTimeMillis(), "alpha", "mail", "beta", "bench " + i, true));
                Long at = receiver.received.poll(2, TimeUnit.SECONDS);
                assertThat(at).as("trap %d received", i).isNotNull();
                latencies.add((at - t0) / 1000);
            }
            Collections.sort(latencies);
            System.out.printf("BENCH event-to-trap latency (push to datagram decoded by an snmp4j receiver, 30 events): median %d us,"
                    + " max %d us%n", latencies.get(latencies.size() / 2), latencies.get(latencies.size() - 1));
        } finally {
            if (snmpd != null) {
                snmpd.destroy();
                if (!snmpd.waitFor(5, TimeUnit.SECONDS)) {
                    snmpd.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            }
        }
    }

    /** Numeric, no MIB loaded: the client does the same work for both agents. */
    private static List<String> walkArgs(String community, String endpoint, String oid) {
        return List.of("-v2c", "-c", community, "-t", "1", "-r", "1", "-On", "-m", "", endpoint, oid);
    }

    private static int count(NetSnmp.Result r) {
        assertThat(r.exit()).as(r.all()).isZero();
        return (int) r.out().lines().filter(l -> l.contains(" = ")).count();
    }

    private static long median(List<Long> values) {
        List<Long> s = new ArrayList<>(values);
        Collections.sort(s);
        return s.get(s.size() / 2);
    }

    /** net-snmp's snmpd on a loopback port, serving system, interfaces and snmp (about as many objects as CLUSTERD-MIB). */
    private Process startSnmpd(int port) throws IOException {
        Path conf = dir.resolve("snmpd.conf");
        Files.writeString(conf, String.join("\n",
                "agentaddress udp:127.0.0.1:" + port,
                "view benchview included .1.3.6.1.2.1.1",
                "view benchview included .1.3.6.1.2.1.2",
                "view benchview included .1.3.6.1.2.1.11",
                "rocommunity bench 127.0.0.1 -V benchview",
                ""));
        Files.createDirectories(dir.resolve("snmpd-persist"));
        ProcessBuilder pb = NetSnmp.builder(List.of(NetSnmp.tool("snmpd").toString(), "-f", "-C", "-c", conf.toString(),
                "-Lf", dir.resolve("snmpd.log").toString(), "-p", dir.resolve("snmpd.pid").toString()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("snmpd.out").toFile());
        pb.environment().put("SNMP_PERSISTENT_DIR", dir.resolve("snmpd-persist").toString());
        Process p = pb.start();
        org.awaitility.Awaitility.await("snmpd answers").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(100))
                .until(() -> !p.isAlive() || NetSnmp.run("snmpget", NetSnmp.v2c("bench", "udp:127.0.0.1:" + port,
                        "1.3.6.1.2.1.1.5.0")).exit() == 0);
        assertThat(p.isAlive()).as("snmpd running").isTrue();
        return p;
    }

    private static double getsPerSecond(String endpoint, String community, String oid) throws IOException {
        String[] hp = endpoint.substring(4).split(":");
        try (DefaultUdpTransportMapping t = new DefaultUdpTransportMapping(); Snmp snmp = new Snmp(t)) {
            snmp.listen();
            CommunityTarget<UdpAddress> target = new CommunityTarget<>(new UdpAddress(hp[0] + "/" + hp[1]), new OctetString(community));
            target.setVersion(SnmpConstants.version2c);
            target.setTimeout(1000);
            target.setRetries(0);
            PDU pdu = new PDU();
            pdu.add(new VariableBinding(new OID(oid)));
            for (int i = 0; i < 500; i++) { // warm-up
                snmp.get(pdu, target);
            }
            long end = System.nanoTime() + 2_000_000_000L;
            long t0 = System.nanoTime();
            int n = 0;
            while (System.nanoTime() < end) {
                ResponseEvent<UdpAddress> r = snmp.get(pdu, target);
                assertThat(r.getResponse()).isNotNull();
                n++;
            }
            return n / ((System.nanoTime() - t0) / 1e9);
        }
    }

    private static double nextPerSecond(String endpoint, String community, String oid) throws IOException {
        String[] hp = endpoint.substring(4).split(":");
        try (DefaultUdpTransportMapping t = new DefaultUdpTransportMapping(); Snmp snmp = new Snmp(t)) {
            snmp.listen();
            CommunityTarget<UdpAddress> target = new CommunityTarget<>(new UdpAddress(hp[0] + "/" + hp[1]), new OctetString(community));
            target.setVersion(SnmpConstants.version2c);
            target.setTimeout(1000);
            PDU pdu = new PDU();
            pdu.add(new VariableBinding(new OID(oid)));
            long end = System.nanoTime() + 1_000_000_000L;
            int n = 0;
            while (System.nanoTime() < end) {
                snmp.getNext(pdu, target);
                n++;
            }
            return n;
        }
    }

    /** A trap receiver that records when each notification arrived (nanoTime). */
    private static final class Receiver implements AutoCloseable, CommandResponder {
        final int port = FreePorts.next();
        final BlockingQueue<Long> received = new ArrayBlockingQueue<>(1000);
        private final Snmp snmp;

        Receiver() throws IOException {
            snmp = new Snmp(new DefaultUdpTransportMapping(new UdpAddress("127.0.0.1/" + port)));
            snmp.addCommandResponder(this);
            snmp.listen();
        }

        @Override
        public <A extends Address> void processPdu(CommandResponderEvent<A> event) {
            long now = System.nanoTime();
            PDU pdu = event.getPDU();
            if (pdu != null && pdu.getType() == PDU.TRAP
                    && EventNotifications.trapOid("TakeoverStarted").equals(pdu.getVariable(SnmpConstants.snmpTrapOID))) {
                received.offer(now);
            }
        }

        @Override
        public void close() throws IOException {
            snmp.close();
        }
    }
}
