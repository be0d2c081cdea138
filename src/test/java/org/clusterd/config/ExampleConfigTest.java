package org.clusterd.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped example, etc/clusterd.yaml, must stay loadable and mean what its comments say. */
class ExampleConfigTest {
    private static final Path EXAMPLE = Path.of("etc/clusterd.yaml");

    @TempDir
    Path dir;

    @Test
    void theShippedExampleLoads() throws Exception {
        // the real key path does not exist here: point keyFile at a generated key beside the copy
        String yaml = Files.readString(EXAMPLE);
        Matcher keyLine = Pattern.compile("(?m)^keyFile: .*$").matcher(yaml);
        assertThat(keyLine.find()).as("example has a keyFile line").isTrue();
        ConfigFiles.writeKey(dir.resolve("cluster.key"), 32);
        Path copy = Files.writeString(dir.resolve("clusterd.yaml"), keyLine.replaceFirst("keyFile: cluster.key"));

        ClusterConfig c = ConfigLoader.load(copy);

        assertThat(c.clusterName()).isEqualTo("office");
        assertThat(c.localNode()).isEqualTo("alpha");
        assertThat(c.peerNode()).isEqualTo("beta");
        assertThat(c.stateDir()).isEqualTo(Path.of("/var/lib/clusterd"));
        assertThat(c.timers()).isEqualTo(Timers.DEFAULTS);
        assertThat(c.failurePolicy()).isEqualTo(FailurePolicy.DEFAULTS);
        assertThat(c.links()).containsExactly(
                new LinkConfig("crossover", new InetSocketAddress("10.0.0.1", 694), new InetSocketAddress("10.0.0.2", 694)),
                new LinkConfig("lan", new InetSocketAddress("192.168.1.11", 694), new InetSocketAddress("192.168.1.12", 694)));
        assertThat(c.pingNodes()).hasSize(2);

        GroupConfig mail = c.group("mail").orElseThrow();
        assertThat(mail.home()).isEqualTo("alpha");
        assertThat(mail.resources()).extracting(ResourceConfig::name).containsExactly("mail-vip", "postfix", "dovecot");
        assertThat(mail.resources()).hasExactlyElementsOfTypes(
                ResourceConfig.Ip.class, ResourceConfig.Systemd.class, ResourceConfig.Systemd.class);

        GroupConfig files = c.group("files").orElseThrow();
        assertThat(files.home()).isEqualTo("beta");
        assertThat(files.resources()).hasExactlyElementsOfTypes(
                ResourceConfig.Ip.class, ResourceConfig.Lsb.class, ResourceConfig.Exec.class);
        assertThat(((ResourceConfig.Lsb) files.resources().get(1)).script()).isEqualTo(Path.of("/etc/init.d/smbd"));

        assertThat(c.notifiers()).hasSize(2);
    }
}
