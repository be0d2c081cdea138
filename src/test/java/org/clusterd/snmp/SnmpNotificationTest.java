package org.clusterd.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.clusterd.cluster.ClusterEvent;
import org.clusterd.harness.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Notifications received by a real snmptrapd: the takeover trap within a second of its event with
 * the varbinds on-call staff need, v3 informs acknowledged, and a dead receiver that costs nothing.
 */
class SnmpNotificationTest {
    @TempDir
    Path dir;

    private static Map<String, String> varbinds(String trapLine) {
        String vbs = trapLine.substring(trapLine.indexOf('|', trapLine.indexOf('|') + 1) + 1);
        return Walks.parse(vbs.replace('\t', '\n'));
    }

    @Test
    void aTakeoverTrapArrivesWithinASecondOfItsEventWithNodeGroupAndReason() throws Exception {
        try (TrapReceiver trapd = new TrapReceiver(dir);
             FakeClusterService service = new FakeClusterService(TestViews.sample());
             SnmpAgent agent = AgentFixture.start(service, List.of(AgentFixture.v2cTrap(trapd.port)))) {
            String cold = trapd.awaitTrap(l -> l.contains("snmpTrapOID.0 = OID: SNMPv2-MIB::coldStart"), Duration.ofSeconds(5));
            assertThat(cold).contains(AgentFixture.COMMUNITY);

            long t = System.currentTimeMillis();
            ClusterEvent.TakeoverStarted e = new ClusterEvent.TakeoverStarted(t, "alpha", "mail", "beta",
                    "beta silent on every link for 3000 ms", true);
            long pushed = System.nanoTime();
            service.push(e);
            String trap = trapd.awaitTrap(l -> l.contains("clusterdTakeoverStarted"), Duration.ofSeconds(1));
            long latencyMs = (System.nanoTime() - pushed) / 1_000_000;
            System.out.println("event-to-trap latency (v2c trap, logged by snmptrapd): " + latencyMs + " ms");

            assertThat(trap).startsWith("TRAP ").contains("community " + AgentFixture.COMMUNITY)
                    .contains("[127.0.0.1]:").contains("->[127.0.0.1]:" + trapd.port);
            Map<String, String> vb = varbinds(trap);
            assertThat(vb.get("snmpTrapOID.0")).isEqualTo("OID: CLUSTERD-MIB::clusterdTakeoverStarted");
            assertThat(vb.get("sysUpTime.0")).startsWith("Timeticks:");
            assertThat(vb.get("clusterdEventType.0")).isEqualTo("STRING: TakeoverStarted");
            assertThat(vb.get("clusterdEventSeverity.0")).isEqualTo("INTEGER: critical(3)");
            assertThat(vb.get("clusterdEventReporter.0")).isEqualTo("STRING: alpha");
            assertThat(vb.get("clusterdEventNode.0")).isEqualTo("STRING: beta");
            assertThat(vb.get("clusterdEventGroup.0")).isEqualTo("STRING: mail");
            assertThat(vb.get("clusterdEventReason.0")).isEqualTo("STRING: " + e.message());
            assertThat(vb.get("clusterdEventTime.0")).isEqualTo(Walks.time(t));
            // snmpTrapAddress.0 (SNMP-COMMUNITY-MIB, not loaded: printed numerically): the management address
            assertThat(vb.get("snmpModules.18.1.3.0")).isEqualTo("IpAddress: 127.0.0.1");
            assertThat(agent.notificationStats().failed()).isZero();
        }
    }

    @Test
    void everyEventTypeArrivesAsItsOwnNotification() throws Exception {
        try (TrapReceiver trapd = new TrapReceiver(dir);
             FakeClusterService service = new FakeClusterService(TestViews.sample());
             SnmpAgent agent = AgentFixture.start(service, List.of(AgentFixture.v2cTrap(trapd.port)))) {
            List<ClusterEvent> events = EventNotificationsTest.oneOfEach(System.currentTimeMillis());
            events.forEach(service::push);
            for (ClusterEvent e : events) {
                String name = "clusterd" + e.type();
                String trap = trapd.awaitTrap(l -> l.contains("OID: CLUSTERD-MIB::" + name + "\t"), Duration.ofSeconds(5));
                assertThat(varbinds(trap).get("clusterdEventReason.0")).isEqualTo("STRING: " + e.message());
            }
            assertThat(agent.notificationStats().sent()).isEqualTo(events.size() + 1);
        }
    }

    @Test
    void aV3InformIsAcknowledgedByTheReceiver() throws Exception {
        try (TrapReceiver trapd = new TrapReceiver(dir);
             FakeClusterService service = new FakeClusterService(TestViews.sample());
             SnmpAgent agent = AgentFixture.start(service, List.of(AgentFixture.v3Inform(trapd.port, 1000, 2)))) {
            long pushed = System.nanoTime();
            service.push(new ClusterEvent.NodeDown(System.currentTimeMillis(), "alpha", "beta", "silent on every link for 3000 ms"));
            String inform = trapd.awaitTrap(l -> l.contains("clusterdNodeDown"), Duration.ofSeconds(2));
            long latencyMs = (System.nanoTime() - pushed) / 1_000_000;
            System.out.println("event-to-inform latency (v3 authPriv inform incl. engine discovery, logged by snmptrapd): "
                    + latencyMs + " ms");
            assertThat(inform).contains(AgentFixture.USER);
            assertThat(varbinds(inform).get("clusterdEventNode.0")).isEqualTo("STRING: beta");
            await().atMost(Duration.ofSeconds(5)).until(() -> agent.notificationStats().acknowledged() == 2); // coldStart + NodeDown
            assertThat(agent.notificationStats().failed()).isZero();
        }
    }

    @Test
    void aDeadInformReceiverNeitherBlocksNorDelaysTrapsToALiveOne() throws Exception {
        int deadPort = FreePorts.next(); // nothing listens there
        try (TrapReceiver trapd = new TrapReceiver(dir);
             FakeClusterService service = new FakeClusterService(TestViews.sample());
             SnmpAgent agent = AgentFixture.start(service, List.of(AgentFixture.v3Inform(deadPort, 300, 1),
                     AgentFixture.v2cTrap(trapd.port)))) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 50; i++) {
                service.push(new ClusterEvent.LinkDown(System.currentTimeMillis(), "alpha", "lan", 3000 + i));
            }
            service.push(new ClusterEvent.StandbyEntered(System.currentTimeMillis(), "alpha", "operator request"));
            trapd.awaitTrap(l -> l.contains("clusterdStandbyEntered"), Duration.ofSeconds(1));
            System.out.println("51 events with a dead inform receiver: last trap at the live one after "
                    + (System.nanoTime() - t0) / 1_000_000 + " ms");
            await().atMost(Duration.ofSeconds(10)).until(() -> agent.notificationStats().failed() == 52); // + coldStart
            assertThat(agent.notificationStats().acknowledged()).isZero();
        }
    }
}
