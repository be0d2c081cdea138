package org.clusterd.resource;

import org.clusterd.config.ResourceConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;

import static org.assertj.core.api.Assertions.assertThat;

/** Reading iproute2's one-line output; no commands run. */
class IpAgentParsingTest {
    private static final Executor NEVER = r -> {
        throw new AssertionError("no background work expected");
    };

    private static IpAgent agent(String address) {
        return new IpAgent(new ResourceConfig.Ip("vip", address, 32, "eth0", false, Optional.empty(),
                Optional.empty(), Optional.empty(), 1_000, 1_000), Map.of(), new CommandRunner(), NEVER);
    }

    @Test
    void findsExactlyTheConfiguredAddress() {
        String listing = """
                2: eth0    inet 192.168.1.10/24 brd 192.168.1.255 scope global eth0\\       valid_lft forever preferred_lft forever
                2: eth0    inet 192.168.1.100/32 scope global eth0\\       valid_lft forever preferred_lft forever
                """;

        assertThat(agent("192.168.1.100").listsAddress(listing)).isTrue();
        assertThat(agent("192.168.1.10").listsAddress(listing)).isTrue();
        assertThat(agent("192.168.1.1").listsAddress(listing)).isFalse();
        assertThat(agent("192.168.1.255").listsAddress(listing)).isFalse();
    }

    @Test
    void comparesIpv6AddressesByValueNotSpelling() {
        String listing = "2: eth0    inet6 2001:db8::1/128 scope global \\       valid_lft forever preferred_lft forever\n";

        assertThat(agent("2001:0db8:0:0::1").listsAddress(listing)).isTrue();
        assertThat(agent("2001:db8::2").listsAddress(listing)).isFalse();
    }

    @Test
    void readsCurrentAndPermanentMac() {
        String link = "3: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP mode DEFAULT group "
                + "default qlen 1000\\    link/ether 02:00:00:00:00:42 brd ff:ff:ff:ff:ff:ff permaddr 52:54:00:AB:CD:EF";

        assertThat(IpAgent.parseLink(link)).contains(new IpAgent.Link("02:00:00:00:00:42", "52:54:00:ab:cd:ef"));
        assertThat(IpAgent.parseLink("garbage")).isEmpty();
    }
}
