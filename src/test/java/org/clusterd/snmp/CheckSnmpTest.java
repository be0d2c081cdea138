package org.clusterd.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Nagios' check_snmp (Debian's monitoring-plugins-standard, which loads no MIBs: numeric OIDs, as in
 * etc/nagios/clusterd.cfg) against the agent, as the fake view changes.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CheckSnmpTest {
    /** clusterdMirrorLag of the first mirror set (mail-m0, row 1). */
    static final String LAG_MAIL_M0 = "1.3.6.1.4.1.32473.1.1.6.1.7.1";
    static final String GROUP_OWNER_MAIL = "1.3.6.1.4.1.32473.1.1.5.1.4.1";
    static final String LOCAL_NODE_STATE = "1.3.6.1.4.1.32473.1.1.1.3.0";

    private FakeClusterService service;
    private SnmpAgent agent;
    private String host;
    private String port;

    @BeforeAll
    void start() throws IOException {
        service = new FakeClusterService(TestViews.sample());
        agent = AgentFixture.start(service, List.of());
        String[] hp = agent.endpoint().substring("udp:".length()).split(":");
        host = hp[0];
        port = hp[1];
    }

    @AfterAll
    void stop() {
        agent.close();
        service.close();
    }

    private NetSnmp.Result checkV2c(String... args) {
        List<String> a = new ArrayList<>(List.of("-H", host, "-p", port, "-P", "2c", "-C", AgentFixture.COMMUNITY, "-t", "5"));
        a.addAll(List.of(args));
        return NetSnmp.run("check_snmp", a);
    }

    private NetSnmp.Result checkV3(String... args) {
        List<String> a = new ArrayList<>(List.of("-H", host, "-p", port, "-P", "3", "-L", "authPriv", "-U", AgentFixture.USER,
                "-a", "SHA-256", "-A", AgentFixture.AUTH, "-x", "AES", "-X", AgentFixture.PRIV, "-t", "5"));
        a.addAll(List.of(args));
        return NetSnmp.run("check_snmp", a);
    }

    private NetSnmp.Result lagCheck(long lagSeconds) {
        service.update(v -> TestViews.withMirrorLag(v, "mail-m0", lagSeconds));
        return checkV2c("-o", LAG_MAIL_M0, "-w", "900", "-c", "~:3600", "-l", "mirror lag", "-u", "s");
    }

    @Test
    void mirrorLagIsOkThenWarningThenCriticalAsTheLagGrows() {
        NetSnmp.Result ok = lagCheck(120);
        assertThat(ok.exit()).as(ok.all()).isEqualTo(0);
        assertThat(ok.out()).contains("OK").contains("120");

        NetSnmp.Result warning = lagCheck(1200);
        assertThat(warning.exit()).as(warning.all()).isEqualTo(1);
        assertThat(warning.out()).contains("WARNING").contains("1200");

        NetSnmp.Result critical = lagCheck(7200);
        assertThat(critical.exit()).as(critical.all()).isEqualTo(2);
        assertThat(critical.out()).contains("CRITICAL").contains("7200");

        NetSnmp.Result never = lagCheck(-1);
        assertThat(never.exit()).as("never synced warns: " + never.all()).isEqualTo(1);

        NetSnmp.Result back = lagCheck(5);
        assertThat(back.exit()).as(back.all()).isEqualTo(0);
    }

    @Test
    void groupOwnerAndNodeStateChecksOverSnmpV3() {
        NetSnmp.Result owner = checkV3("-o", GROUP_OWNER_MAIL, "-s", "\"alpha\"", "-l", "mail owner");
        assertThat(owner.exit()).as(owner.all()).isEqualTo(0);
        service.update(v -> TestViews.withOwner(v, "mail", "beta"));
        NetSnmp.Result moved = checkV3("-o", GROUP_OWNER_MAIL, "-s", "\"alpha\"", "-l", "mail owner");
        assertThat(moved.exit()).as(moved.all()).isEqualTo(2);
        service.set(TestViews.sample());

        NetSnmp.Result state = checkV3("-o", LOCAL_NODE_STATE, "-w", "3:3", "-c", "2:3", "-l", "node state");
        assertThat(state.exit()).as(state.all()).isEqualTo(0);
    }
}
