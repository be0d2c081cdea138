package org.clusterd.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;

import org.clusterd.harness.FreePorts;
import org.clusterd.view.ClusterView;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The agent as an NMS sees it, through net-snmp's own tools: a walk of the MIB agrees field by field
 * with the status JSON of the same view; v3 authPriv works and wrong keys do not; nobody can write;
 * a wrong community or garbage gets nothing back and is counted.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SnmpAgentTest {
    private FakeClusterService service;
    private SnmpAgent agent;

    @BeforeAll
    void start() throws IOException {
        service = new FakeClusterService(TestViews.sample());
        agent = AgentFixture.start(service, List.of());
    }

    @AfterAll
    void stop() {
        agent.close();
        service.close();
    }

    @AfterEach
    void resetView() {
        service.set(TestViews.sample());
    }

    private Map<String, String> walkV2c(String oid) {
        NetSnmp.Result r = NetSnmp.run("snmpwalk", NetSnmp.v2c(AgentFixture.COMMUNITY, agent.endpoint(), oid));
        assertThat(r.exit()).as(r.all()).isZero();
        assertThat(r.err()).as("stderr").doesNotContain("Cannot find module", "Timeout", "Error");
        return Walks.parse(r.out());
    }

    private static String get(Map<String, String> walk, String key) {
        assertThat(walk).as("walk has %s", key).containsKey(key);
        return walk.get(key);
    }

    @Test
    void walkOfTheWholeMibAgreesFieldByFieldWithTheStatusJson() {
        ClusterView view = service.view();
        JsonNode json = new ObjectMapper().valueToTree(view);
        Map<String, String> w = walkV2c("CLUSTERD-MIB::clusterdMIB");

        // every line has a symbolic name (net-snmp knows every OID served from the MIB file)
        assertThat(w.keySet()).allMatch(k -> k.startsWith("clusterd"), "symbolic CLUSTERD-MIB names");

        assertThat(get(w, "clusterdClusterName.0")).isEqualTo(Walks.string(json.get("cluster").asText()));
        assertThat(get(w, "clusterdLocalNode.0")).isEqualTo(Walks.string(json.get("node").asText()));
        assertThat(get(w, "clusterdLocalNodeState.0")).startsWith("INTEGER: " + Walks.label(json.get("state").asText()) + "(");
        JsonNode stats = json.get("stats");
        assertFields(stats, Set.of("clusterState", "stateChanges", "failovers", "lastChangeMillis", "startedAtMillis"));
        assertThat(get(w, "clusterdClusterState.0")).startsWith("INTEGER: " + stats.get("clusterState").asText() + "(");
        assertThat(get(w, "clusterdStateChanges.0")).isEqualTo("Counter32: " + stats.get("stateChanges").asLong());
        assertThat(get(w, "clusterdFailovers.0")).isEqualTo("Counter32: " + stats.get("failovers").asLong());
        assertThat(get(w, "clusterdLastChange.0")).as("before the agent started").startsWith("Timeticks: (0)");
        assertThat(get(w, "clusterdLastChangeTime.0")).isEqualTo(Walks.time(stats.get("lastChangeMillis").asLong()));
        assertThat(get(w, "clusterdStartTime.0")).isEqualTo(Walks.time(stats.get("startedAtMillis").asLong()));
        JsonNode timers = json.get("timers");
        assertFields(timers, Set.of("heartbeatIntervalMs", "warnMs", "deadMs", "initDeadMs"));
        assertThat(get(w, "clusterdHeartbeatInterval.0")).isEqualTo("Gauge32: " + timers.get("heartbeatIntervalMs").asLong() + " milliseconds");
        assertThat(get(w, "clusterdWarnTime.0")).isEqualTo("Gauge32: " + timers.get("warnMs").asLong() + " milliseconds");
        assertThat(get(w, "clusterdDeadTime.0")).isEqualTo("Gauge32: " + timers.get("deadMs").asLong() + " milliseconds");
        assertThat(get(w, "clusterdInitDead.0")).isEqualTo("Gauge32: " + timers.get("initDeadMs").asLong() + " milliseconds");

        assertThat(json.get("nodes")).hasSize(2);
        for (JsonNode n : json.get("nodes")) {
            assertFields(n, Set.of("name", "local", "state", "alive", "lastHeartbeatMillis", "standbyLock", "incarnation", "pingReached"));
            int i = Walks.row(w, "clusterdNodeName", n.get("name").asText());
            assertThat(get(w, "clusterdNodeLocal." + i)).isEqualTo(Walks.truth(n.get("local").asBoolean()));
            assertThat(get(w, "clusterdNodeState." + i)).startsWith("INTEGER: " + Walks.label(n.get("state").asText()) + "(");
            assertThat(get(w, "clusterdNodeAlive." + i)).isEqualTo(Walks.truth(n.get("alive").asBoolean()));
            assertThat(get(w, "clusterdNodeHeartbeatAge." + i)).isEqualTo("INTEGER: " + n.get("lastHeartbeatMillis").asLong() + " milliseconds");
            assertThat(get(w, "clusterdNodeStandbyLock." + i)).isEqualTo(Walks.truth(n.get("standbyLock").asBoolean()));
            assertThat(get(w, "clusterdNodeIncarnation." + i)).isEqualTo(Walks.string(n.get("incarnation").asText()));
            assertThat(get(w, "clusterdNodePingReached." + i)).isEqualTo("Gauge32: " + n.get("pingReached").asLong());
        }
        assertThat(json.get("links")).hasSize(2);
        for (JsonNode l : json.get("links")) {
            assertFields(l, Set.of("name", "peer", "up", "state", "lastSeenMillis", "received", "lost", "rejected", "localAddress",
                    "peerAddress"));
            int i = Walks.row(w, "clusterdLinkName", l.get("name").asText());
            assertThat(get(w, "clusterdLinkPeer." + i)).isEqualTo(Walks.string(l.get("peer").asText()));
            assertThat(get(w, "clusterdLinkState." + i)).startsWith("INTEGER: " + Walks.label(l.get("state").asText()) + "(");
            assertThat(get(w, "clusterdLinkState." + i).equals("INTEGER: down(4)")).isEqualTo(!l.get("up").asBoolean());
            long seen = l.get("lastSeenMillis").asLong();
            assertThat(get(w, "clusterdLinkLastSeen." + i)).isEqualTo("INTEGER: " + (seen < 0 ? -1 : seen) + " milliseconds");
            assertThat(get(w, "clusterdLinkReceived." + i)).isEqualTo("Counter32: " + (l.get("received").asLong() & 0xFFFFFFFFL));
            assertThat(get(w, "clusterdLinkLost." + i)).isEqualTo("Gauge32: " + l.get("lost").asLong());
            assertThat(get(w, "clusterdLinkRejected." + i)).as("Counter32 wraps").isEqualTo("Counter32: " + (l.get("rejected").asLong() & 0xFFFFFFFFL));
            assertThat(get(w, "clusterdLinkLocalAddress." + i)).isEqualTo(Walks.string(l.get("localAddress").asText()));
            assertThat(get(w, "clusterdLinkPeerAddress." + i)).isEqualTo(Walks.string(l.get("peerAddress").asText()));
        }
        assertThat(json.get("groups")).hasSize(4);
        for (JsonNode g : json.get("groups")) {
            assertFields(g, Set.of("name", "home", "owner", "state", "generation", "lastFailoverMillis", "failoverCount", "lastResult"));
            int i = Walks.row(w, "clusterdGroupName", g.get("name").asText());
            assertThat(get(w, "clusterdGroupHome." + i)).isEqualTo(Walks.string(g.get("home").asText()));
            assertThat(get(w, "clusterdGroupOwner." + i)).isEqualTo(Walks.string(g.get("owner").isNull() ? "" : g.get("owner").asText()));
            assertThat(get(w, "clusterdGroupState." + i)).startsWith("INTEGER: " + Walks.label(g.get("state").asText()) + "(");
            assertThat(get(w, "clusterdGroupGeneration." + i)).isEqualTo("Gauge32: " + g.get("generation").asLong());
            assertThat(get(w, "clusterdGroupLastFailover." + i)).isEqualTo(Walks.time(g.get("lastFailoverMillis").asLong()));
            assertThat(get(w, "clusterdGroupFailoverCount." + i)).isEqualTo("Counter32: " + g.get("failoverCount").asLong());
            assertThat(get(w, "clusterdGroupLastResult." + i)).as("UTF-8 text").isEqualTo(Walks.string(g.get("lastResult").asText()));
        }
        assertThat(json.get("mirrors")).hasSize(8);
        for (JsonNode m : json.get("mirrors")) {
            assertFields(m, Set.of("name", "group", "path", "lastResult", "lastSuccess", "lagSeconds", "conflicts", "filesMoved",
                    "bytesMoved"));
            int i = Walks.row(w, "clusterdMirrorName", m.get("name").asText());
            assertThat(get(w, "clusterdMirrorGroup." + i)).isEqualTo(Walks.string(m.get("group").asText()));
            assertThat(get(w, "clusterdMirrorPath." + i)).isEqualTo(Walks.string(m.get("path").asText()));
            assertThat(get(w, "clusterdMirrorLastResult." + i)).startsWith("INTEGER: " + Walks.label(m.get("lastResult").asText()) + "(");
            assertThat(get(w, "clusterdMirrorLastSuccess." + i)).isEqualTo(Walks.time(m.get("lastSuccess").asLong()));
            long lag = m.get("lagSeconds").asLong();
            assertThat(get(w, "clusterdMirrorLag." + i)).isEqualTo("INTEGER: " + (lag < 0 ? -1 : lag) + " seconds");
            assertThat(get(w, "clusterdMirrorConflicts." + i)).isEqualTo("Counter32: " + m.get("conflicts").asLong());
            assertThat(get(w, "clusterdMirrorFilesMoved." + i)).isEqualTo("Counter64: " + m.get("filesMoved").asLong());
            assertThat(get(w, "clusterdMirrorBytesMoved." + i)).isEqualTo("Counter64: " + m.get("bytesMoved").asLong() + " bytes");
        }
        // nothing else: 9 cluster scalars, 4 timers, 8 columns x 2 nodes, 9 x 2 links, 8 x 4 groups, 9 x 8 mirrors
        assertThat(w).hasSize(9 + 4 + 8 * 2 + 9 * 2 + 8 * 4 + 9 * 8);
    }

    /** The JSON row has exactly these fields: a field added to the view must be added to the MIB (or here, on purpose). */
    private static void assertFields(JsonNode row, Set<String> expected) {
        Set<String> names = new TreeSet<>();
        for (Iterator<String> it = row.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        assertThat(names).as("fields of %s", row).isEqualTo(new TreeSet<>(expected));
    }

    @Test
    void aWalkFollowsTheViewAndRowsKeepTheirIndexWhenTheOrderChanges() {
        Map<String, String> before = walkV2c("CLUSTERD-MIB::clusterdGroupName");
        int mail = Walks.row(before, "clusterdGroupName", "mail");
        service.update(v -> {
            List<ClusterView.GroupView> reversed = new ArrayList<>(v.groups());
            java.util.Collections.reverse(reversed);
            ClusterView moved = TestViews.withOwner(v, "mail", "beta");
            return new ClusterView(v.cluster(), v.node(), v.state(), v.generatedAtMillis(), v.stats(), v.timers(), v.nodes(),
                    v.links(), reversed.stream().map(g -> moved.groups().stream().filter(x -> x.name().equals(g.name()))
                    .findFirst().orElseThrow()).toList(), v.mirrors(), v.endpoints(), v.events());
        });
        Map<String, String> after = walkV2c("CLUSTERD-MIB::clusterdGroupTable");
        assertThat(Walks.row(after, "clusterdGroupName", "mail")).isEqualTo(mail);
        assertThat(after.get("clusterdGroupOwner." + mail)).isEqualTo("STRING: beta");
        assertThat(after.get("clusterdGroupFailoverCount." + mail)).isEqualTo("Counter32: 1");
    }

    @Test
    void answersTheSystemGroupAndTheSnmpEngineObjects() {
        Map<String, String> sys = walkV2c("SNMPv2-MIB::system");
        assertThat(sys.get("sysDescr.0")).startsWith("STRING: clusterd").contains("node alpha of cluster office");
        assertThat(sys.get("sysObjectID.0")).isEqualTo("OID: CLUSTERD-MIB::clusterdAgent");
        assertThat(sys.get("sysName.0")).isEqualTo("STRING: alpha");
        assertThat(sys.get("sysUpTime.0")).startsWith("Timeticks:");
        Map<String, String> engine = walkV2c("1.3.6.1.6.3.10.2.1");
        assertThat(engine.keySet()).hasSize(4); // snmpEngineID, Boots, Time, MaxMessageSize
        assertThat(engine.values().iterator().next().replace(" ", "")).containsIgnoringCase(agent.engineId());
    }

    @Test
    void aGetOfAMissingRowSaysNoSuchInstanceAndOfAnUndefinedObjectNoSuchObject() {
        NetSnmp.Result r = NetSnmp.run("snmpget", NetSnmp.v2c(AgentFixture.COMMUNITY, agent.endpoint(),
                "CLUSTERD-MIB::clusterdNodeName.99", "CLUSTERD-MIB::clusterdClusterName.0", "1.3.6.1.4.1.32473.1.1.9.0"));
        Map<String, String> w = Walks.parse(r.out());
        assertThat(w.get("clusterdNodeName.99")).contains("No Such Instance");
        assertThat(w.get("clusterdClusterName.0")).isEqualTo("STRING: office");
        assertThat(r.out()).contains("No Such Object");
    }

    @Test
    void v2cSeesNeitherCommunitiesNorUsersNorAccessRules() {
        Map<String, String> all = walkV2c("1.3");
        assertThat(all.keySet()).noneMatch(k -> k.startsWith("snmpModules.15.1.2") // usmUser
                || k.startsWith("snmpModules.16") // VACM
                || k.startsWith("snmpModules.18") // community
                || k.startsWith("snmpModules.12")); // targets
        assertThat(String.join("\n", all.values())).doesNotContain(AgentFixture.COMMUNITY, AgentFixture.USER);
        assertThat(all.keySet()).anyMatch(k -> k.startsWith("clusterdMirrorLag."));
    }

    @Test
    void v3AuthPrivWithSha256AndAes128WalksTheMib() {
        NetSnmp.Result r = NetSnmp.run("snmpwalk", NetSnmp.v3(AgentFixture.USER, AgentFixture.AUTH, AgentFixture.PRIV,
                agent.endpoint(), "CLUSTERD-MIB::clusterdMIB"));
        assertThat(r.exit()).as(r.all()).isZero();
        Map<String, String> v3 = Walks.parse(r.out());
        assertThat(v3).isEqualTo(walkV2c("CLUSTERD-MIB::clusterdMIB"));
    }

    @Test
    void v3WithAWrongPassphraseGetsNothingAndIsCounted() {
        String before = walkV2c("1.3.6.1.6.3.15.1.1.5").values().iterator().next(); // usmStatsWrongDigests
        NetSnmp.Result wrongAuth = NetSnmp.run("snmpget", NetSnmp.v3(AgentFixture.USER, "not-the-auth-passphrase", AgentFixture.PRIV,
                agent.endpoint(), "CLUSTERD-MIB::clusterdClusterName.0"));
        assertThat(wrongAuth.exit()).isNotZero();
        assertThat(wrongAuth.out()).doesNotContain("office");
        assertThat(wrongAuth.err()).containsIgnoringCase("authentication fail");
        String after = walkV2c("1.3.6.1.6.3.15.1.1.5").values().iterator().next();
        assertThat(counter(after)).isGreaterThan(counter(before));

        NetSnmp.Result wrongPriv = NetSnmp.run("snmpget", NetSnmp.v3(AgentFixture.USER, AgentFixture.AUTH, "not-the-priv-passphrase",
                agent.endpoint(), "CLUSTERD-MIB::clusterdClusterName.0"));
        assertThat(wrongPriv.exit()).isNotZero();
        assertThat(wrongPriv.out()).doesNotContain("office");

        long unknownBefore = counter(walkV2c("1.3.6.1.6.3.15.1.1.3").values().iterator().next()); // usmStatsUnknownUserNames
        NetSnmp.Result unknownUser = NetSnmp.run("snmpget", NetSnmp.v3("mallory", AgentFixture.AUTH, AgentFixture.PRIV,
                agent.endpoint(), "CLUSTERD-MIB::clusterdClusterName.0"));
        assertThat(unknownUser.exit()).isNotZero();
        assertThat(unknownUser.out()).doesNotContain("office");
        assertThat(counter(walkV2c("1.3.6.1.6.3.15.1.1.3").values().iterator().next())).isGreaterThan(unknownBefore);
    }

    @Test
    void aSetIsRejectedForV2cAndV3AndChangesNothing() {
        NetSnmp.Result v2 = NetSnmp.run("snmpset", NetSnmp.v2c(AgentFixture.COMMUNITY, agent.endpoint(),
                "CLUSTERD-MIB::clusterdClusterName.0", "s", "hacked"));
        assertThat(v2.exit()).isNotZero();
        assertThat(v2.all()).containsAnyOf("noAccess", "notWritable");
        NetSnmp.Result sysName = NetSnmp.run("snmpset", NetSnmp.v2c(AgentFixture.COMMUNITY, agent.endpoint(),
                "SNMPv2-MIB::sysName.0", "s", "hacked"));
        assertThat(sysName.exit()).isNotZero();
        assertThat(sysName.all()).containsAnyOf("noAccess", "notWritable");
        NetSnmp.Result v3 = NetSnmp.run("snmpset", NetSnmp.v3(AgentFixture.USER, AgentFixture.AUTH, AgentFixture.PRIV,
                agent.endpoint(), "CLUSTERD-MIB::clusterdMirrorLag.1", "i", "0"));
        assertThat(v3.exit()).isNotZero();
        assertThat(v3.all()).containsAnyOf("noAccess", "notWritable");
        assertThat(walkV2c("SNMPv2-MIB::sysName").get("sysName.0")).isEqualTo("STRING: alpha");
        assertThat(walkV2c("CLUSTERD-MIB::clusterdClusterName").get("clusterdClusterName.0")).isEqualTo("STRING: office");
    }

    @Test
    void aWrongCommunityGetsNoAnswerAndIsCounted() {
        long before = counter(walkV2c("SNMPv2-MIB::snmpInBadCommunityNames").get("snmpInBadCommunityNames.0"));
        NetSnmp.Result r = NetSnmp.run("snmpget", NetSnmp.v2c("public", agent.endpoint(), "CLUSTERD-MIB::clusterdClusterName.0"));
        assertThat(r.exit()).isNotZero();
        assertThat(r.all()).contains("Timeout").doesNotContain("office");
        long after = counter(walkV2c("SNMPv2-MIB::snmpInBadCommunityNames").get("snmpInBadCommunityNames.0"));
        assertThat(after).isGreaterThan(before);
        // SNMPv1 is not offered at all
        List<String> v1 = new ArrayList<>(NetSnmp.v2c(AgentFixture.COMMUNITY, agent.endpoint(), "SNMPv2-MIB::sysName.0"));
        v1.set(0, "-v1");
        assertThat(NetSnmp.run("snmpget", v1).all()).contains("Timeout");
    }

    @Test
    void garbageDatagramsAreDroppedAndCountedAndTheAgentGoesOnAnswering() throws IOException {
        long before = counter(walkV2c("SNMPv2-MIB::snmpInASNParseErrs").get("snmpInASNParseErrs.0"));
        String[] hp = agent.endpoint().substring(4).split(":");
        InetSocketAddress to = new InetSocketAddress(FreePorts.LOOPBACK, Integer.parseInt(hp[1]));
        Random random = new Random(42);
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, 0))) {
            for (int i = 0; i < 500; i++) {
                byte[] b = new byte[random.nextInt(i % 50 == 0 ? 9000 : 200) + 1];
                random.nextBytes(b);
                if (i % 3 == 0) {
                    b[0] = 0x30; // looks like a BER SEQUENCE, so the decoder goes further
                }
                s.send(new DatagramPacket(b, b.length, to));
            }
            s.send(new DatagramPacket(new byte[0], 0, to));
        }
        Map<String, String> w = walkV2c("SNMPv2-MIB::snmpInASNParseErrs");
        assertThat(counter(w.get("snmpInASNParseErrs.0"))).isGreaterThan(before);
        assertThat(walkV2c("CLUSTERD-MIB::clusterdClusterName").get("clusterdClusterName.0")).isEqualTo("STRING: office");
    }

    @Test
    void lastChangeIsTheSysUpTimeOfTheLastEvent() {
        long now = System.currentTimeMillis();
        service.update(v -> new ClusterView(v.cluster(), v.node(), v.state(), now, new ClusterView.Stats("normal", 18, 3, now,
                v.stats().startedAtMillis()), v.timers(), v.nodes(), v.links(), v.groups(), v.mirrors(), v.endpoints(), v.events()));
        NetSnmp.Result r = NetSnmp.run("snmpget", NetSnmp.v2c(AgentFixture.COMMUNITY, agent.endpoint(), "-Ot",
                "SNMPv2-MIB::sysUpTime.0", "CLUSTERD-MIB::clusterdLastChange.0", "CLUSTERD-MIB::clusterdClusterState.0"));
        Map<String, String> w = Walks.parse(r.out());
        long upTime = Long.parseLong(w.get("sysUpTime.0").replaceAll("\\D", ""));
        long lastChange = Long.parseLong(w.get("clusterdLastChange.0").replaceAll("\\D", ""));
        assertThat(lastChange).isPositive().isLessThanOrEqualTo(upTime).isGreaterThan(upTime - 200);
        assertThat(w.get("clusterdClusterState.0")).isEqualTo("INTEGER: normal(2)");
    }

    private static long counter(String typedValue) {
        return Long.parseLong(typedValue.replaceAll("^.*: ", "").strip());
    }
}
