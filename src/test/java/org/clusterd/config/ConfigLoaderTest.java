package org.clusterd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.config.ConfigFiles.FAKE_DNS;
import static org.clusterd.config.ConfigFiles.resource;
import static org.clusterd.config.ConfigFiles.writeConfig;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What a valid file turns into: every key mapped, every default filled in, every path resolved. */
class ConfigLoaderTest {
    static final String MINIMAL = """
            cluster: office
            node: alpha
            peer: beta
            keyFile: cluster.key
            stateDir: /var/lib/clusterd
            control:
              port: 7400
            links:
              - name: lan
                local: 192.168.1.10:694
                peer: 192.168.1.11:694
            """;

    @TempDir
    Path dir;

    @Test
    void mapsEveryKeyOfACompleteFile() throws Exception {
        Path file = writeConfig(dir, resource("valid.yaml"));

        ClusterConfig c = ConfigLoader.load(file, FAKE_DNS);

        assertThat(c.source()).isEqualTo(file);
        assertThat(c.clusterName()).isEqualTo("office");
        assertThat(c.localNode()).isEqualTo("alpha");
        assertThat(c.peerNode()).isEqualTo("beta");
        assertThat(c.clusterKey()).isEqualTo(Files.readAllBytes(dir.resolve("cluster.key")));
        assertThat(c.stateDir()).isEqualTo(dir.resolve("state"));
        assertThat(c.control()).isEqualTo(new ControlConfig(7400, dir.resolve("run/control.token")));
        assertThat(c.timers()).isEqualTo(new Timers(250, 1000, 2000, 60_000));
        assertThat(c.links()).containsExactly(
                new LinkConfig("crossover", new InetSocketAddress("10.0.0.1", 694), new InetSocketAddress("10.0.0.2", 694)),
                new LinkConfig("lan", new InetSocketAddress("fd00::10", 695), new InetSocketAddress("fd00::11", 695)));
        assertThat(c.pingNodes()).containsExactly(
                new PingNode(PingNode.Kind.ICMP, "192.168.1.1", 0),
                new PingNode(PingNode.Kind.TCP, "192.168.1.1", 22),
                new PingNode(PingNode.Kind.ICMP, "fd00::1", 0));
        assertThat(c.failurePolicy()).isEqualTo(new FailurePolicy(2, 4, 3_600_000, 7_000));

        assertThat(c.groups()).extracting(GroupConfig::name).containsExactly("mail", "files", "empty");
        GroupConfig mail = c.group("mail").orElseThrow();
        assertThat(mail.home()).isEqualTo("alpha");
        assertThat(mail.failback()).isEqualTo(GroupConfig.Failback.MANUAL);
        assertThat(mail.resources()).containsExactly(
                new ResourceConfig.Ip("mail-vip", "192.168.1.20", 24, "eth0", false, Optional.of("02:00:00:00:00:01"),
                        Optional.of("eth2"), Optional.of("labns"), 20_000, 3_000),
                new ResourceConfig.Exec("postfix", "/usr/sbin/postfix start", "/usr/sbin/postfix stop",
                        "/usr/sbin/postfix status", Map.of("MAIL_CONFIG", "/etc/postfix", "RETRIES", "3"), 30_000, 7_000),
                new ResourceConfig.Systemd("dovecot", "dovecot.service", 30_000, 7_000));
        GroupConfig files = c.group("files").orElseThrow();
        assertThat(files.failback()).isEqualTo(GroupConfig.Failback.AUTO);
        assertThat(files.resources()).containsExactly(
                new ResourceConfig.Lsb("samba", dir.resolve("scripts/smbd"), 30_000, 7_000),
                new ResourceConfig.Ip("files-vip", "fd00::21", 128, "eth0", true, Optional.empty(), Optional.empty(),
                        Optional.empty(), 30_000, 7_000));
        assertThat(c.group("empty").orElseThrow().resources()).isEmpty();

        assertThat(c.notifiers()).containsExactly(
                new NotifyConfig(Set.of("TakeoverCompleted", "StandbyEntered"), "/usr/local/sbin/mail-admin", 5_000),
                new NotifyConfig(Set.of(), "logger -t clusterd", 10_000));
    }

    @Test
    void fillsInDefaultsForEverythingOptional() throws Exception {
        ClusterConfig c = ConfigLoader.load(writeConfig(dir, MINIMAL));

        assertThat(c.timers()).isEqualTo(Timers.DEFAULTS);
        assertThat(c.failurePolicy()).isEqualTo(FailurePolicy.DEFAULTS);
        assertThat(c.control().tokenFile()).isEqualTo(Path.of("/var/lib/clusterd/control.token"));
        assertThat(c.pingNodes()).isEmpty();
        assertThat(c.groups()).isEmpty();
        assertThat(c.notifiers()).isEmpty();
    }

    @Test
    void partialTimersKeepTheDefaultsOfTheKeysNotGiven() throws Exception {
        ClusterConfig c = ConfigLoader.load(writeConfig(dir, MINIMAL + "timers:\n  initDead: 30s\n"));

        assertThat(c.timers()).isEqualTo(new Timers(500, 1500, 3000, 30_000));
    }

    @Test
    void emptySectionsCountAsAbsent() throws Exception {
        ClusterConfig c = ConfigLoader.load(writeConfig(dir, MINIMAL + """
                timers:
                failurePolicy:
                pingNodes:
                groups:
                notify:
                """));

        assertThat(c.timers()).isEqualTo(Timers.DEFAULTS);
        assertThat(c.failurePolicy()).isEqualTo(FailurePolicy.DEFAULTS);
        assertThat(c.groups()).isEmpty();
    }

    @Test
    void resourceDefaultsComeFromTheFailurePolicy() throws Exception {
        ClusterConfig c = ConfigLoader.load(writeConfig(dir, MINIMAL + """
                failurePolicy:
                  monitorInterval: 9s
                groups:
                  - name: web
                    home: beta
                    resources:
                      - type: systemd
                        name: nginx
                        unit: nginx
                      - type: ip
                        name: vip
                        address: 192.168.1.30
                        device: eth0
                """));

        GroupConfig web = c.group("web").orElseThrow();
        assertThat(web.resources()).extracting(ResourceConfig::timeoutMs).containsExactly(30_000L, 30_000L);
        assertThat(web.resources()).extracting(ResourceConfig::monitorIntervalMs).containsExactly(9_000L, 9_000L);
        ResourceConfig.Ip vip = (ResourceConfig.Ip) web.resources().get(1);
        assertThat(vip.prefix()).isEqualTo(32);
        assertThat(vip.gratuitousArp()).isTrue();
        assertThat(vip.takeoverMac()).isEmpty();
    }

    @Test
    void resolvesRelativePathsAgainstTheFilesDirectory() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("etc"));
        ConfigFiles.writeKey(dir.resolve("secret.key"), 64);
        String yaml = MINIMAL.replace("keyFile: cluster.key", "keyFile: ../secret.key")
                .replace("stateDir: /var/lib/clusterd", "stateDir: ./state/../var")
                + """
                groups:
                  - name: files
                    home: alpha
                    resources:
                      - type: lsb
                        name: samba
                        script: init.d/smbd
                """;

        ClusterConfig c = ConfigLoader.load(writeConfig(sub, yaml));

        assertThat(c.clusterKey()).hasSize(64);
        assertThat(c.stateDir()).isEqualTo(sub.resolve("var"));
        assertThat(c.control().tokenFile()).isEqualTo(sub.resolve("var/control.token"));
        ResourceConfig.Lsb samba = (ResourceConfig.Lsb) c.group("files").orElseThrow().resources().get(0);
        assertThat(samba.script()).isEqualTo(sub.resolve("init.d/smbd")).isAbsolute();
    }

    @Test
    void resolvesLinkHostNames() throws Exception {
        String yaml = MINIMAL.replace("local: 192.168.1.10:694", "local: alpha-lan:694")
                .replace("peer: 192.168.1.11:694", "peer: beta-lan:694");

        ClusterConfig c = ConfigLoader.load(writeConfig(dir, yaml), FAKE_DNS);

        assertThat(c.links().get(0).local()).isEqualTo(new InetSocketAddress("192.168.1.10", 694));
        assertThat(c.links().get(0).peer()).isEqualTo(new InetSocketAddress("192.168.1.11", 694));
    }

    @Test
    void takesValuesAsWrittenNotAsYaml11Types() throws Exception {
        // "no" would be a boolean and 12:34:56 a base-60 integer under YAML 1.1's implicit typing
        String yaml = MINIMAL.replace("node: alpha", "node: no").replace("cluster: office", "cluster: 12.30")
                + """
                groups:
                  - name: g
                    home: no
                    resources:
                      - type: ip
                        name: vip
                        address: 10.1.1.1
                        device: eth0
                        takeoverMac: 12:34:56:78:9A:BC
                        macDevice: eth1
                """;

        ClusterConfig c = ConfigLoader.load(writeConfig(dir, yaml));

        assertThat(c.localNode()).isEqualTo("no");
        assertThat(c.clusterName()).isEqualTo("12.30");
        ResourceConfig.Ip vip = (ResourceConfig.Ip) c.groups().get(0).resources().get(0);
        assertThat(vip.takeoverMac()).contains("12:34:56:78:9a:bc");
    }

    @Test
    void keyStaysSecretInToString() throws Exception {
        ClusterConfig c = ConfigLoader.load(writeConfig(dir, MINIMAL));

        assertThat(c.toString()).contains("office").doesNotContain("clusterKey");
    }

    @Test
    void acceptsASingleLinkWithAWarning() throws Exception {
        List<ILoggingEvent> logged = captureLog(() -> ConfigLoader.load(writeConfig(dir, MINIMAL)));

        assertThat(logged).filteredOn(e -> e.getLevel() == Level.WARN)
                .extracting(ILoggingEvent::getFormattedMessage)
                .singleElement().asString().contains("only one link (lan)");
    }

    @Test
    void doesNotWarnAboutTwoLinks() throws Exception {
        String yaml = MINIMAL + "  - name: crossover\n    local: 10.0.0.1:694\n    peer: 10.0.0.2:694\n";

        List<ILoggingEvent> logged = captureLog(() -> ConfigLoader.load(writeConfig(dir, yaml)));

        assertThat(logged).noneMatch(e -> e.getLevel() == Level.WARN);
    }

    private interface Load {
        void run() throws ConfigException;
    }

    private static List<ILoggingEvent> captureLog(Load load) throws ConfigException {
        Logger logger = (Logger) LoggerFactory.getLogger(ConfigLoader.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            load.run();
        } finally {
            logger.detachAppender(appender);
        }
        return appender.list;
    }

    @Test
    void listsCanBeWrittenInFlowStyle() throws Exception {
        String yaml = MINIMAL + "pingNodes: [192.168.1.1, 'tcp:gateway.example:443']\n";

        assertThat(ConfigLoader.load(writeConfig(dir, yaml)).pingNodes())
                .containsExactly(new PingNode(PingNode.Kind.ICMP, "192.168.1.1", 0),
                        new PingNode(PingNode.Kind.TCP, "gateway.example", 443));
    }
}
