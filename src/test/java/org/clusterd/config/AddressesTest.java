package org.clusterd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class AddressesTest {
    private static final HostResolver NO_DNS = host -> {
        throw new AssertionError("looked up " + host);
    };

    @Test
    void parsesAddressLiteralsWithoutAnyLookup() {
        assertThat(Addresses.hostPort("10.0.0.1:694", NO_DNS)).isEqualTo(new InetSocketAddress("10.0.0.1", 694));
        assertThat(Addresses.hostPort("[fd00::1]:694", NO_DNS)).isEqualTo(new InetSocketAddress("fd00::1", 694));
        assertThat(Addresses.hostPort("0.0.0.0:694", NO_DNS).getAddress().isAnyLocalAddress()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.2.3", "1.2.3.4.5", "256.1.1.1", "01.2.3.4", "1.2.3.4.", "1..3.4", "10.0.0.1:694"})
    void rejectsBadIpv4LiteralsWithoutALookup(String text) {
        assertThatThrownBy(() -> Addresses.hostPort(text + ":1", NO_DNS)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"[fd00::1]", "[fd00:::1]:1", "[10.0.0.1]:1", "[fd00::g]:1", "fd00::1:1", "host", ":1", "host:",
        "host:-1", "host:0x10", "bad_name!:1"})
    void rejectsMalformedHostPortsWithoutALookup(String text) {
        assertThatThrownBy(() -> Addresses.hostPort(text, NO_DNS)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void looksUpHostNamesOnlyThroughTheResolver() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        HostResolver resolver = host -> {
            lookups.incrementAndGet();
            return InetAddress.getByName("192.0.2.7");
        };
        assertThat(Addresses.hostPort("beta.example.org:694", resolver)).isEqualTo(new InetSocketAddress("192.0.2.7", 694));
        assertThat(lookups).hasValue(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"alpha", "alpha-lan.example.org", "a1", "node7.", "x.y-z"})
    void acceptsHostNames(String name) {
        assertThat(Addresses.isHostName(name)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"-alpha", "alpha-", "a_b", "a..b", "", "1.2.3.4", "host.123", "a b"})
    void rejectsNonHostNames(String name) {
        assertThat(Addresses.isHostName(name)).isFalse();
    }

    @Test
    void parsesAddressPrefixesWithFamilyDefaults() {
        assertThat(Addresses.cidr("192.168.1.20/24").prefix()).isEqualTo(24);
        assertThat(Addresses.cidr("192.168.1.20").prefix()).isEqualTo(32);
        assertThat(Addresses.cidr("192.168.1.20/0").prefix()).isZero();
        assertThat(Addresses.cidr("fd00::20").prefix()).isEqualTo(128);
        assertThat(Addresses.cidr("fd00::20/64").text()).isEqualTo("fd00::20");
    }

    @ParameterizedTest
    @ValueSource(strings = {"192.168.1.20/33", "fd00::1/129", "192.168.1.20/-1", "192.168.1.20/a", "0.0.0.0", "224.0.0.1",
        "fe80::1%eth0", "vip.example"})
    void rejectsBadServiceAddresses(String text) {
        assertThatThrownBy(() -> Addresses.cidr(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void parsesPingNodes() {
        assertThat(Addresses.pingNode("192.168.1.1")).isEqualTo(new PingNode(PingNode.Kind.ICMP, "192.168.1.1", 0));
        assertThat(Addresses.pingNode("icmp:router.lan")).isEqualTo(new PingNode(PingNode.Kind.ICMP, "router.lan", 0));
        assertThat(Addresses.pingNode("fd00::1")).isEqualTo(new PingNode(PingNode.Kind.ICMP, "fd00::1", 0));
        assertThat(Addresses.pingNode("tcp:[fd00::1]:22")).isEqualTo(new PingNode(PingNode.Kind.TCP, "fd00::1", 22));
        assertThat(Addresses.pingNode("tcp:192.168.1.1:22").toString()).isEqualTo("tcp:192.168.1.1:22");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp:192.168.1.1", "tcp:192.168.1.1:0", "udp:192.168.1.1:53", "router lan", ""})
    void rejectsBadPingNodes(String text) {
        assertThatThrownBy(() -> Addresses.pingNode(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void normalisesMacAddressesAndRejectsNonUnicastOnes() {
        assertThat(Addresses.mac("02:AB:00:00:00:01")).isEqualTo("02:ab:00:00:00:01");
        assertThatThrownBy(() -> Addresses.mac("02-ab-00-00-00-01")).hasMessageContaining("not a MAC address");
        assertThatThrownBy(() -> Addresses.mac("ff:ff:ff:ff:ff:ff")).hasMessageContaining("multicast");
        assertThatThrownBy(() -> Addresses.mac("00:00:00:00:00:00")).hasMessageContaining("all-zero");
    }

    @Test
    void socketsClashOnTheSamePortOfTheSameOrAWildcardHost() {
        InetSocketAddress lan = new InetSocketAddress("192.168.1.10", 694);
        assertThat(Addresses.clash(lan, new InetSocketAddress("192.168.1.10", 694))).isTrue();
        assertThat(Addresses.clash(lan, new InetSocketAddress("0.0.0.0", 694))).isTrue();
        assertThat(Addresses.clash(new InetSocketAddress("::", 694), lan)).isTrue();
        assertThat(Addresses.clash(lan, new InetSocketAddress("10.0.0.1", 694))).isFalse();
        assertThat(Addresses.clash(lan, new InetSocketAddress("192.168.1.10", 695))).isFalse();
    }
}
