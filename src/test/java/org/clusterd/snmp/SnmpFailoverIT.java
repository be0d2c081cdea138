package org.clusterd.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;

import org.clusterd.harness.FreePorts;
import org.clusterd.it.ClusterFixture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real failover seen by a real snmptrapd: two daemon processes with SNMP agents, beta loses power
 * (kill -9 of its process group), and the receiver gets alpha's takeover notification with the
 * varbinds on-call staff act on, as a v2c trap and as an acknowledged v3 inform, within a second.
 */
class SnmpFailoverIT {
    @TempDir
    Path dir;

    private static Path secret(Path dir, String name, String value) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, value + "\n");
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
        return f;
    }

    @Test
    void aPowerLossOfThePeerSendsTheTakeoverTrapAndInformWithinASecond() throws Exception {
        Path community = secret(dir, "community", AgentFixture.COMMUNITY);
        Path auth = secret(dir, "auth", AgentFixture.AUTH);
        Path priv = secret(dir, "priv", AgentFixture.PRIV);
        int[] agentPorts = FreePorts.next(2);
        try (TrapReceiver trapd = new TrapReceiver(dir.resolve("trapd"))) {
            String snmp = "snmp:\n  listen: 127.0.0.1:%d\n  communityFile: " + community + "\n"
                    + "  users:\n    - name: " + AgentFixture.USER + "\n      auth: SHA-256\n"
                    + "      authPassphraseFile: " + auth + "\n      privPassphraseFile: " + priv + "\n"
                    + "  trapTargets:\n    - address: 127.0.0.1:" + trapd.port + "\n"
                    + "    - address: 127.0.0.1:" + trapd.port + "\n      version: v3\n      user: " + AgentFixture.USER + "\n";
            ClusterFixture.Options options = ClusterFixture.options().name("aPowerLossSendsTheTakeoverTrap")
                    .extraConfig(node -> String.format(snmp, node.equals(ClusterFixture.ALPHA) ? agentPorts[0] : agentPorts[1]));
            try (ClusterFixture c = ClusterFixture.create(dir.resolve("cluster"), options)) {
                c.startSteady();
                ClusterFixture.LogMark mark = c.mark(ClusterFixture.ALPHA);
                c.crash(ClusterFixture.BETA);
                long eventAt = ClusterFixture.timeOf(c.awaitEventAfter(mark, "TakeoverStarted", Duration.ofSeconds(30)));
                String trap = trapd.awaitTrap(l -> l.contains("clusterdTakeoverStarted") && l.contains(AgentFixture.COMMUNITY),
                        Duration.ofSeconds(5));
                long trapSeenAt = System.currentTimeMillis();
                String inform = trapd.awaitTrap(l -> l.contains("clusterdTakeoverStarted") && l.contains(AgentFixture.USER),
                        Duration.ofSeconds(5));
                System.out.println("takeover event to v2c trap logged by snmptrapd: at most " + (trapSeenAt - eventAt) + " ms");
                assertThat(trapSeenAt - eventAt).as("the trap leaves within a second of its event").isLessThan(1_000);
                for (String n : new String[] {trap, inform}) {
                    assertThat(n).contains("clusterdEventReporter.0 = STRING: alpha", "clusterdEventNode.0 = STRING: beta",
                            "clusterdEventGroup.0 = STRING: mail", "silent on every link", "critical");
                }
                assertThat(trap).as("sent from the node's management address").contains("127.0.0.1");
            }
        }
    }
}
