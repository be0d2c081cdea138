package org.clusterd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.clusterd.config.ConfigFiles.FAKE_DNS;
import static org.clusterd.config.ConfigFiles.lineOf;
import static org.clusterd.config.ConfigFiles.writeConfig;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code snmp:} section: what it turns into, its defaults, and every way it is rejected. */
class SnmpConfigLoaderTest {
    static final String SNMP = ConfigLoaderTest.MINIMAL + """
            snmp:
              listen: 192.168.1.10:161
              communityFile: snmp.community
              users:
                - name: nms
                  auth: SHA-512
                  authPassphraseFile: nms.auth
                  privPassphraseFile: nms.priv
                - name: zabbix
                  authPassphraseFile: nms.auth
                  privPassphraseFile: nms.priv
              trapTargets:
                - address: 192.168.1.50:162
                - address: 192.168.1.51:1162
                  version: v3
                  user: nms
                  timeout: 2s
                  retries: 5
                - address: 192.168.1.52:162
                  notify: inform
                  communityFile: trap.community
            """;

    @TempDir
    Path dir;

    @BeforeEach
    void secrets() throws IOException {
        secret("snmp.community", "s3cret-ro\n");
        secret("trap.community", "traps\r\n");
        secret("nms.auth", "auth-passphrase\n");
        secret("nms.priv", "priv-passphrase");
    }

    private Path secret(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rw-------"));
        return p;
    }

    private SnmpConfig load(String yaml) throws ConfigException {
        return ConfigLoader.load(writeConfig(dir, yaml), FAKE_DNS).snmp().orElseThrow();
    }

    private void assertRejected(String yaml, String lineText, String key, String reason) {
        Path file = writeConfig(dir, yaml);
        try {
            ClusterConfig c = ConfigLoader.load(file, FAKE_DNS);
            fail("expected a rejection of %s but loaded %s", key, c);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isEqualTo(file + ":" + lineOf(yaml, lineText) + ": " + key + ": " + e.reason());
            assertThat(e.key()).isEqualTo(key);
            assertThat(e.reason()).contains(reason);
        }
    }

    @Test
    void mapsEveryKeyOfTheSection() throws Exception {
        SnmpConfig s = load(SNMP);
        assertThat(s.listen()).isEqualTo(new InetSocketAddress("192.168.1.10", 161));
        assertThat(s.source()).as("defaults to the listen address").contains(InetAddress.getByName("192.168.1.10"));
        assertThat(s.community()).contains("s3cret-ro");
        assertThat(s.users()).containsExactly(
                new SnmpConfig.User("nms", SnmpConfig.AuthProtocol.SHA_512, "auth-passphrase", "priv-passphrase"),
                new SnmpConfig.User("zabbix", SnmpConfig.AuthProtocol.SHA_256, "auth-passphrase", "priv-passphrase"));
        assertThat(s.trapTargets()).containsExactly(
                new SnmpConfig.TrapTarget(new InetSocketAddress("192.168.1.50", 162), SnmpConfig.Version.V2C, false,
                        Optional.of("s3cret-ro"), Optional.empty(), 5000, 3),
                new SnmpConfig.TrapTarget(new InetSocketAddress("192.168.1.51", 1162), SnmpConfig.Version.V3, true,
                        Optional.empty(), Optional.of("nms"), 2000, 5),
                new SnmpConfig.TrapTarget(new InetSocketAddress("192.168.1.52", 162), SnmpConfig.Version.V2C, true,
                        Optional.of("traps"), Optional.empty(), 5000, 3));
        assertThat(s.engineFile()).contains(Path.of("/var/lib/clusterd/snmp-engine"));
        assertThat(s.toString()).doesNotContain("s3cret", "passphrase", "traps\"");
        assertThat(s.trapTargets().get(0).endpoint()).isEqualTo("udp:192.168.1.50:162");
    }

    @Test
    void endpointsAreWrittenUdpHostPortWithIpv6InBrackets() throws Exception {
        assertThat(SnmpConfig.endpoint(new InetSocketAddress(InetAddress.getByName("::1"), 161))).isEqualTo("udp:[0:0:0:0:0:0:0:1]:161");
        assertThat(SnmpConfig.endpoint(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 16161))).isEqualTo("udp:127.0.0.1:16161");
    }

    @Test
    void theSectionIsOptionalAndAnExplicitSourceWins() throws Exception {
        assertThat(ConfigLoader.load(writeConfig(dir, ConfigLoaderTest.MINIMAL), FAKE_DNS).snmp()).isEmpty();
        SnmpConfig s = load(ConfigLoaderTest.MINIMAL + """
                snmp:
                  listen: 0.0.0.0:161
                  source: 192.168.1.10
                  communityFile: snmp.community
                  trapTargets:
                    - address: 192.168.1.50:162
                """);
        assertThat(s.source()).contains(InetAddress.getByName("192.168.1.10"));
        assertThat(s.users()).isEmpty();
    }

    @Test
    void rejectsASecretFileOthersCanRead() throws Exception {
        Files.setPosixFilePermissions(dir.resolve("snmp.community"), PosixFilePermissions.fromString("rw-r--r--"));
        assertRejected(SNMP, "communityFile: snmp.community", "snmp.communityFile", "accessible by group or others");
    }

    @Test
    void rejectsAMissingPassphraseFileAndAShortPassphrase() throws Exception {
        assertRejected(SNMP.replace("authPassphraseFile: nms.auth\n      privPassphraseFile: nms.priv\n    - name: zabbix",
                        "authPassphraseFile: nope.auth\n      privPassphraseFile: nms.priv\n    - name: zabbix"),
                "nope.auth", "snmp.users[0].authPassphraseFile", "does not exist");
        secret("nms.priv", "short\n");
        assertRejected(SNMP, "privPassphraseFile: nms.priv", "snmp.users[0].privPassphraseFile", "8 to 256");
    }

    @Test
    void rejectsAnInlineSecretAsAnUnknownKey() {
        assertRejected(SNMP.replace("  communityFile: snmp.community\n", "  community: public\n"), "community: public",
                "snmp.community", "unknown key 'community'");
    }

    @Test
    void rejectsBadUsersAndTargets() {
        assertRejected(SNMP.replace("auth: SHA-512", "auth: MD5"), "auth: MD5", "snmp.users[0].auth", "SHA-256");
        assertRejected(SNMP.replace("user: nms", "user: root"), "user: root", "snmp.trapTargets[1].user", "no user 'root'");
        assertRejected(SNMP.replace("version: v3", "version: v1"), "version: v1", "snmp.trapTargets[1].version", "v2c or v3");
        assertRejected(SNMP.replace("notify: inform", "notify: page"), "notify: page", "snmp.trapTargets[2].notify", "trap or inform");
        assertRejected(SNMP.replace("      version: v3\n", ""), "user: nms", "snmp.trapTargets[1].user", "v2c target has no user");
        assertRejected(SNMP.replace("retries: 5", "retries: 50"), "retries: 50", "snmp.trapTargets[1].retries", "0..10");
        assertRejected(SNMP.replace("timeout: 2s", "timeout: 5m"), "timeout: 5m", "snmp.trapTargets[1].timeout", "at most 1m");
    }

    @Test
    void rejectsAV2cTargetWithoutAnyCommunity() {
        assertRejected(ConfigLoaderTest.MINIMAL + """
                snmp:
                  listen: 192.168.1.10:161
                  users:
                    - name: nms
                      authPassphraseFile: nms.auth
                      privPassphraseFile: nms.priv
                  trapTargets:
                    - address: 192.168.1.50:162
                """, "- address: 192.168.1.50:162", "snmp.trapTargets[0].communityFile", "needs a community");
    }

    @Test
    void rejectsASectionNobodyCouldRead() {
        assertRejected(ConfigLoaderTest.MINIMAL + """
                snmp:
                  listen: 192.168.1.10:161
                """, "snmp:", "snmp.users", "nobody could read");
    }

    @Test
    void rejectsAWildcardListenWithTrapsButNoSource() {
        assertRejected(SNMP.replace("listen: 192.168.1.10:161", "listen: 0.0.0.0:161"), "snmp:", "snmp.source",
                "management address");
        assertRejected(SNMP.replace("  communityFile: snmp.community\n", "  source: 0.0.0.0\n  communityFile: snmp.community\n"),
                "source: 0.0.0.0", "snmp.source", "not a wildcard");
        assertRejected(SNMP.replace("  communityFile: snmp.community\n", "  source: mgmt.example\n  communityFile: snmp.community\n"),
                "source: mgmt.example", "snmp.source", "not an IP address");
    }

    @Test
    void rejectsAListenPortALinkAlreadyBinds() {
        assertRejected(SNMP.replace("listen: 192.168.1.10:161", "listen: 192.168.1.10:694"), "listen: 192.168.1.10:694",
                "snmp.listen", "also bound by link lan");
    }
}
