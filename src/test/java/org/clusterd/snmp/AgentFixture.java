package org.clusterd.snmp;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;

import org.clusterd.config.SnmpConfig;
import org.clusterd.harness.FreePorts;

/** An {@link SnmpAgent} on a free loopback port with the test community and SNMPv3 user. */
final class AgentFixture {
    static final String COMMUNITY = "clusterd-ro";
    static final String USER = "nms";
    static final String AUTH = "nms-auth-passphrase";
    static final String PRIV = "nms-priv-passphrase";

    private AgentFixture() {}

    static SnmpConfig config(int port, List<SnmpConfig.TrapTarget> targets) {
        InetAddress lo = FreePorts.LOOPBACK;
        return new SnmpConfig(new InetSocketAddress(lo, port), Optional.of(lo), Optional.of(COMMUNITY),
                List.of(new SnmpConfig.User(USER, SnmpConfig.AuthProtocol.SHA_256, AUTH, PRIV)), targets, Optional.empty());
    }

    static SnmpConfig.TrapTarget v2cTrap(int port) {
        return new SnmpConfig.TrapTarget(new InetSocketAddress(FreePorts.LOOPBACK, port), SnmpConfig.Version.V2C, false,
                Optional.of(COMMUNITY), Optional.empty(), 1000, 1);
    }

    static SnmpConfig.TrapTarget v3Inform(int port, long timeoutMs, int retries) {
        return new SnmpConfig.TrapTarget(new InetSocketAddress(FreePorts.LOOPBACK, port), SnmpConfig.Version.V3, true,
                Optional.empty(), Optional.of(USER), timeoutMs, retries);
    }

    static SnmpAgent start(FakeClusterService service, List<SnmpConfig.TrapTarget> targets) throws IOException {
        SnmpAgent a = new SnmpAgent(config(FreePorts.next(), targets), service, "alpha");
        a.start();
        return a;
    }
}
