package org.clusterd.resource;

import org.clusterd.config.ResourceConfig;
import org.clusterd.resource.ResourceAgent.Outcome;
import org.clusterd.resource.ResourceAgent.Status;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The IP agent for real, inside two network namespaces made for each test: "server" (where the agent
 * works: v0, and a spare m0 for MAC takeover) and "client", joined by the veth pair v0 (server) - v1
 * (client) on 10.77.0.0/24. Needs root and iproute2; the ARP test also needs arping. The namespaces
 * (and with them every device) are deleted after each test, also when it fails.
 */
@EnabledIf("rootWithIp")
class IpAgentTest {
    private static final String VIP = "10.77.0.100";
    private static final String TAKEOVER_MAC = "02:00:00:00:00:42";

    private final CommandRunner runner = new CommandRunner();
    private final String server = "clusterd-test-" + HexFormat.of().toHexDigits(ThreadLocalRandom.current().nextInt());
    private final String client = server + "-c";

    static boolean rootWithIp() throws IOException {
        return Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")) && onPath("ip");
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    private String sh(String command) {
        CommandResult r = runner.run(command, Map.of(), Duration.ofSeconds(10));
        assertThat(r.succeeded()).as("%s -> %s", command, r.summary()).isTrue();
        return r.output();
    }

    @BeforeEach
    void createNamespaces() {
        sh("ip netns add " + server);
        sh("ip netns add " + client);
        sh("ip -n " + server + " link add v0 type veth peer name v1 netns " + client);
        sh("ip -n " + server + " link add m0 type veth peer name m1");
        sh("ip -n " + server + " link set v0 up && ip -n " + server + " link set m0 up"
                + " && ip -n " + client + " link set v1 up");
        sh("ip -n " + server + " addr add 10.77.0.1/24 dev v0");
        sh("ip -n " + client + " addr add 10.77.0.2/24 dev v1");
    }

    @AfterEach
    void deleteNamespaces() {
        // each separately, so that one failing does not leave the other
        runner.run("ip netns del " + server, Map.of(), Duration.ofSeconds(10));
        runner.run("ip netns del " + client, Map.of(), Duration.ofSeconds(10));
        assertThat(sh("ip netns list")).doesNotContain(server);
    }

    private ResourceAgent agent(String device, boolean arp, Optional<String> mac, Optional<String> macDevice) {
        return ResourceAgents.create(new ResourceConfig.Ip("vip", VIP, 32, device, arp, mac, macDevice,
                Optional.of(server), 5_000, 10_000), Map.of());
    }

    private String addresses() {
        return sh("ip -n " + server + " -o addr show dev v0");
    }

    private String mac(String ns, String device) {
        return IpAgent.parseLink(sh("ip -n " + ns + " -o link show dev " + device)).orElseThrow().mac();
    }

    @Test
    void addsChecksAndRemovesAHostAddressInsideTheNamespace() {
        ResourceAgent agent = agent("v0", false, Optional.empty(), Optional.empty());
        assertThat(agent.status()).isEqualTo(Status.STOPPED);

        Outcome started = agent.start();

        assertThat(started.ok()).as(started.detail()).isTrue();
        assertThat(addresses()).contains("inet " + VIP + "/32");
        assertThat(agent.status()).isEqualTo(Status.RUNNING);

        Outcome stopped = agent.stop();

        assertThat(stopped.ok()).as(stopped.detail()).isTrue();
        assertThat(addresses()).doesNotContain(VIP).contains("10.77.0.1/24");
        assertThat(agent.status()).isEqualTo(Status.STOPPED);
    }

    @Test
    void anAddressAlreadyPresentCountsAsStartedAndAnAbsentOneAsStopped() {
        ResourceAgent agent = agent("v0", false, Optional.empty(), Optional.empty());
        sh("ip -n " + server + " addr add " + VIP + "/32 dev v0");

        Outcome started = agent.start();

        assertThat(started.ok()).isTrue();
        assertThat(started.detail()).contains("already present");
        assertThat(agent.stop().ok()).isTrue();

        Outcome again = agent.stop();

        assertThat(again.ok()).isTrue();
        assertThat(again.detail()).contains("already absent");
    }

    @Test
    void anotherAddressWithTheSamePrefixDoesNotCount() {
        ResourceAgent agent = ResourceAgents.create(new ResourceConfig.Ip("vip", "10.77.0.10", 32, "v0", false,
                Optional.empty(), Optional.empty(), Optional.of(server), 5_000, 10_000), Map.of());
        sh("ip -n " + server + " addr add " + VIP + "/32 dev v0");

        assertThat(agent.status()).isEqualTo(Status.STOPPED);
    }

    @Test
    void gratuitousArpMovesAClientsCachedEntryToThisNode() {
        assertThat(onPath("arping")).as("arping is installed (tools/test.sh installs it)").isTrue();
        // the client still believes the address lives at the failed node's MAC
        sh("ip -n " + client + " neigh replace " + VIP + " lladdr 02:00:00:00:00:99 dev v1 nud stale");
        String ours = mac(server, "v0");
        ResourceAgent agent = agent("v0", true, Optional.empty(), Optional.empty());

        Outcome started = agent.start();

        assertThat(started.ok()).as(started.detail()).isTrue();
        assertThat(started.detail()).contains("gratuitous ARP");
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(sh("ip -n " + client + " neigh show " + VIP + " dev v1")).contains("lladdr " + ours));
    }

    @Test
    void takesOverTheMacOnStartAndGivesTheOriginalBackOnStop() {
        String original = mac(server, "m0");
        ResourceAgent agent = agent("v0", false, Optional.of(TAKEOVER_MAC), Optional.of("m0"));

        Outcome started = agent.start();

        assertThat(started.ok()).as(started.detail()).isTrue();
        assertThat(mac(server, "m0")).isEqualTo(TAKEOVER_MAC);
        assertThat(sh("ip -n " + server + " -o link show dev m0")).contains("UP");
        assertThat(agent.status()).isEqualTo(Status.RUNNING);

        Outcome stopped = agent.stop();

        assertThat(stopped.ok()).as(stopped.detail()).isTrue();
        assertThat(mac(server, "m0")).isEqualTo(original);
        assertThat(agent.status()).isEqualTo(Status.STOPPED);
    }

    @Test
    void aHalfPresentResourceIsFailedAndStopCleansItUp() {
        String original = mac(server, "m0");
        ResourceAgent agent = agent("v0", false, Optional.of(TAKEOVER_MAC), Optional.of("m0"));
        assertThat(agent.start().ok()).isTrue();
        sh("ip -n " + server + " addr del " + VIP + "/32 dev v0");

        assertThat(agent.status()).isEqualTo(Status.FAILED);
        assertThat(agent.stop().ok()).isTrue();
        assertThat(mac(server, "m0")).isEqualTo(original);
    }

    @Test
    void stopFailsWhenTheTakenOverMacCannotBeGivenBack() {
        // as after a daemon restart: this agent did not do the takeover and a veth has no permanent MAC
        sh("ip -n " + server + " link set dev m0 address " + TAKEOVER_MAC);
        ResourceAgent agent = agent("v0", false, Optional.of(TAKEOVER_MAC), Optional.of("m0"));

        Outcome stopped = agent.stop();

        assertThat(stopped.ok()).isFalse();
        assertThat(stopped.detail()).contains("original MAC is unknown");
    }

    @Test
    void aMissingDeviceIsUnknownAndNeitherStartsNorCountsAsStopped() {
        ResourceAgent agent = agent("nosuch0", false, Optional.empty(), Optional.empty());

        assertThat(agent.status()).isEqualTo(Status.UNKNOWN);
        assertThat(agent.start().ok()).isFalse();
        Outcome stopped = agent.stop();
        assertThat(stopped.ok()).isFalse();
        assertThat(stopped.detail()).contains("removing " + VIP).contains("nosuch0");
    }
}
