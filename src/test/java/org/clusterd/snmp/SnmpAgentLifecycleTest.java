package org.clusterd.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.clusterd.config.SnmpConfig;
import org.clusterd.harness.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starting, describing and stopping the agent; its engine identity across restarts. */
class SnmpAgentLifecycleTest {
    @TempDir
    Path dir;

    @Test
    void aTakenPortFailsTheStartWithAnIOExceptionAndLeavesNothingRunning() throws Exception {
        int port = FreePorts.next();
        try (DatagramSocket taken = new DatagramSocket(new InetSocketAddress(FreePorts.LOOPBACK, port));
             FakeClusterService service = new FakeClusterService(TestViews.sample())) {
            SnmpAgent agent = new SnmpAgent(AgentFixture.config(port, List.of()), service, "alpha");
            assertThatThrownBy(agent::start).isInstanceOf(IOException.class);
            assertThat(service.listeners()).isZero();
            agent.close();
        }
    }

    @Test
    void reportsItsEndpointsAndUnsubscribesOnCloseOnce() throws Exception {
        try (FakeClusterService service = new FakeClusterService(TestViews.sample())) {
            SnmpConfig config = AgentFixture.config(0, List.of(AgentFixture.v2cTrap(16200), AgentFixture.v3Inform(16201, 1000, 1)));
            SnmpAgent agent = new SnmpAgent(config, service, "alpha");
            agent.start();
            assertThat(agent.endpoint()).matches("udp:127\\.0\\.0\\.1:\\d+").isNotEqualTo("udp:127.0.0.1:0");
            assertThat(agent.trapTargets()).containsExactly("udp:127.0.0.1:16200", "udp:127.0.0.1:16201");
            assertThat(agent.toString()).contains(agent.endpoint()).doesNotContain(AgentFixture.COMMUNITY, AgentFixture.AUTH);
            assertThat(service.listeners()).isEqualTo(1);
            assertThatThrownBy(agent::start).isInstanceOf(IllegalStateException.class);
            agent.close();
            agent.close();
            assertThat(service.listeners()).isZero();
        }
    }

    @Test
    void keepsItsEngineIdAndCountsBootsAcrossRestarts() throws Exception {
        Path engineFile = dir.resolve("snmp-engine");
        SnmpConfig base = AgentFixture.config(FreePorts.next(), List.of());
        SnmpConfig config = new SnmpConfig(base.listen(), base.source(), base.community(), base.users(), base.trapTargets(),
                Optional.of(engineFile));
        String firstId;
        String firstBoots;
        try (FakeClusterService service = new FakeClusterService(TestViews.sample())) {
            try (SnmpAgent agent = new SnmpAgent(config, service, "alpha")) {
                agent.start();
                firstId = agent.engineId();
                firstBoots = engine(agent).get("snmpModules.10.2.1.2.0");
            }
            try (SnmpAgent agent = new SnmpAgent(config, service, "alpha")) {
                agent.start();
                assertThat(agent.engineId()).isEqualTo(firstId);
                assertThat(engine(agent).get("snmpModules.10.2.1.2.0")).isEqualTo("INTEGER: 2").isNotEqualTo(firstBoots);
                // v3 still works after the restart (keys localized to the same engine ID)
                NetSnmp.Result r = NetSnmp.run("snmpget", NetSnmp.v3(AgentFixture.USER, AgentFixture.AUTH, AgentFixture.PRIV,
                        agent.endpoint(), "SNMPv2-MIB::sysName.0"));
                assertThat(r.out()).contains("alpha");
            }
        }
        assertThat(firstBoots).isEqualTo("INTEGER: 1");
    }

    private static Map<String, String> engine(SnmpAgent agent) {
        return Walks.parse(NetSnmp.run("snmpwalk", NetSnmp.v2c(AgentFixture.COMMUNITY, agent.endpoint(), "1.3.6.1.6.3.10.2.1")).out());
    }
}
