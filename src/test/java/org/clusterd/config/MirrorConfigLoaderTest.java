package org.clusterd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.clusterd.config.ConfigFiles.FAKE_DNS;
import static org.clusterd.config.ConfigFiles.lineOf;
import static org.clusterd.config.ConfigFiles.writeConfig;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mirror section and the groups' mirror sets: what they map to and every way they are rejected. */
class MirrorConfigLoaderTest {
    static final String WITH_MIRRORS = ConfigLoaderTest.MINIMAL + """
            mirror:
              listen: 10.0.0.1:7410
              peer: 10.0.0.2:7410
              keystore: mirror-alpha.p12
              truststore: mirror-trust.p12
              passwordFile: mirror.pass
              trashMaxBytes: 512m
            groups:
              - name: mail
                home: alpha
                mirrors:
                  - name: spool
                    path: /var/mail
                    policy: mbox
                    schedule: "0 */2 * * * ?"
                    excludes: ["*.lock", "cache/**"]
                    maxDeleteShare: 0.25
                    fullChecksum: true
                  - name: maildirs
                    path: /home/mail
                    policy: maildir
              - name: files
                home: beta
                mirrors:
                  - name: shares
                    path: /srv/files
            """;

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("clusterd.yaml");
    }

    private ClusterConfig load(String yaml) throws ConfigException {
        return ConfigLoader.load(writeConfig(dir, yaml), FAKE_DNS);
    }

    private void assertRejected(String yaml, int line, String key, String reason) {
        try {
            ClusterConfig c = load(yaml);
            fail("expected a rejection at line %d (%s) but loaded %s", line, key, c);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(file() + ":" + line + ": " + key + ": ");
            assertThat(e.key()).isEqualTo(key);
            assertThat(e.reason()).contains(reason);
        }
    }

    private static String replace(String yaml, String from, String to) {
        assertThat(yaml).contains(from);
        return yaml.replace(from, to);
    }

    @Test
    void mapsTheMirrorSectionAndEverySetWithDefaults() throws Exception {
        ClusterConfig c = load(WITH_MIRRORS);

        MirrorConfig m = c.mirror().orElseThrow();
        assertThat(m.listen()).isEqualTo(new InetSocketAddress("10.0.0.1", 7410));
        assertThat(m.peer()).isEqualTo(new InetSocketAddress("10.0.0.2", 7410));
        assertThat(m.keystore()).isEqualTo(dir.resolve("mirror-alpha.p12"));
        assertThat(m.truststore()).isEqualTo(dir.resolve("mirror-trust.p12"));
        assertThat(m.passwordFile()).isEqualTo(dir.resolve("mirror.pass"));
        assertThat(m.trashMaxBytes()).isEqualTo(512L << 20);

        assertThat(c.group("mail").orElseThrow().mirrors()).containsExactly(
                new MirrorSetConfig("spool", Path.of("/var/mail"), List.of("*.lock", "cache/**"), "0 */2 * * * ?",
                        MirrorSetConfig.Policy.MBOX, 0.25, true),
                new MirrorSetConfig("maildirs", Path.of("/home/mail"), List.of(), MirrorSetConfig.DEFAULT_SCHEDULE,
                        MirrorSetConfig.Policy.MAILDIR, 0.5, false));
        assertThat(c.group("files").orElseThrow().mirrors()).extracting(MirrorSetConfig::policy)
                .containsExactly(MirrorSetConfig.Policy.COPY);
        assertThat(c.mirrorSets()).extracting(MirrorSetConfig::name).containsExactly("spool", "maildirs", "shares");
    }

    @Test
    void withoutAMirrorSectionThereIsNoMirrorAndNoSets() throws Exception {
        ClusterConfig c = load(ConfigLoaderTest.MINIMAL);
        assertThat(c.mirror()).isEmpty();
        assertThat(c.mirrorSets()).isEmpty();
    }

    @Test
    void trashSizeDefaultsToOneGibibyte() throws Exception {
        ClusterConfig c = load(replace(WITH_MIRRORS, "  trashMaxBytes: 512m\n", ""));
        assertThat(c.mirror().orElseThrow().trashMaxBytes()).isEqualTo(1L << 30);
    }

    @Test
    void rejectsMirrorSetsWithoutTheMirrorSection() {
        String yaml = ConfigLoaderTest.MINIMAL + """
                groups:
                  - name: mail
                    home: alpha
                    mirrors:
                      - name: spool
                        path: /var/mail
                """;
        assertRejected(yaml, lineOf(yaml, "- name: spool"), "groups[0].mirrors", "need the top-level mirror section");
    }

    @Test
    void rejectsAnUnknownKeyInASet() {
        String yaml = replace(WITH_MIRRORS, "    fullChecksum: true", "    fullChecksum: true\n        direction: both");
        assertRejected(yaml, lineOf(yaml, "direction: both"), "groups[0].mirrors[0].direction", "unknown key 'direction'");
    }

    @Test
    void rejectsAnUnknownKeyInTheMirrorSection() {
        String yaml = replace(WITH_MIRRORS, "  trashMaxBytes: 512m", "  trashMaxBytes: 512m\n  port: 1");
        assertRejected(yaml, lineOf(yaml, "port: 1"), "mirror.port", "unknown key 'port'");
    }

    @Test
    void rejectsAMissingPath() {
        String yaml = replace(WITH_MIRRORS, "        path: /srv/files\n", "");
        assertRejected(yaml, lineOf(yaml, "- name: shares"), "groups[1].mirrors[0].path", "required key 'path' is missing");
    }

    @Test
    void rejectsABadPolicy() {
        String yaml = replace(WITH_MIRRORS, "policy: mbox", "policy: rsync");
        assertRejected(yaml, lineOf(yaml, "policy: rsync"), "groups[0].mirrors[0].policy", "copy, mbox or maildir");
    }

    @Test
    void rejectsABadCronExpression() {
        String yaml = replace(WITH_MIRRORS, "\"0 */2 * * * ?\"", "\"every five minutes\"");
        assertRejected(yaml, lineOf(yaml, "every five minutes"), "groups[0].mirrors[0].schedule", "not a Quartz cron expression");
    }

    @Test
    void rejectsADeleteShareOutOfRange() {
        String yaml = replace(WITH_MIRRORS, "maxDeleteShare: 0.25", "maxDeleteShare: 1.5");
        assertRejected(yaml, lineOf(yaml, "maxDeleteShare"), "groups[0].mirrors[0].maxDeleteShare", "out of range 0..1");
        yaml = replace(WITH_MIRRORS, "maxDeleteShare: 0.25", "maxDeleteShare: half");
        assertRejected(yaml, lineOf(yaml, "maxDeleteShare"), "groups[0].mirrors[0].maxDeleteShare", "expected a share");
    }

    @Test
    void rejectsABadExcludeGlob() {
        String yaml = replace(WITH_MIRRORS, "\"cache/**\"", "\"cache/[\"");
        assertRejected(yaml, lineOf(yaml, "cache/["), "groups[0].mirrors[0].excludes[1]", "not a valid glob");
        yaml = replace(WITH_MIRRORS, "\"cache/**\"", "\"/cache\"");
        assertRejected(yaml, lineOf(yaml, "\"/cache\""), "groups[0].mirrors[0].excludes[1]", "relative to the set's root");
    }

    @Test
    void rejectsADuplicateSetNameAcrossGroups() {
        String yaml = replace(WITH_MIRRORS, "- name: shares", "- name: spool");
        assertRejected(yaml, lineOf(yaml, "path: /srv/files") - 1, "groups[1].mirrors[0].name", "duplicate mirror set name 'spool'");
    }

    @Test
    void rejectsNestedSets() {
        String yaml = replace(WITH_MIRRORS, "path: /srv/files", "path: /var/mail/archive");
        assertRejected(yaml, lineOf(yaml, "/var/mail/archive"), "groups[1].mirrors[0].path", "overlaps the mirror set at /var/mail");
    }

    @Test
    void rejectsTheRootDirectoryAsASet() {
        String yaml = replace(WITH_MIRRORS, "path: /srv/files", "path: / ");
        assertRejected(yaml, lineOf(yaml, "path: / "), "groups[1].mirrors[0].path", "cannot be the root directory");
    }

    @Test
    void rejectsAPasswordFileOthersCanRead() throws Exception {
        Path pass = Files.writeString(dir.resolve("mirror.pass"), "secret\n");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-r--r--"));
        assertRejected(WITH_MIRRORS, lineOf(WITH_MIRRORS, "passwordFile"), "mirror.passwordFile", "chmod 600");
        Files.setPosixFilePermissions(pass, PosixFilePermissions.fromString("rw-------"));
        assertThat(load(WITH_MIRRORS).mirror()).isPresent();
    }

    @Test
    void rejectsABadTrashSizeAndAMissingListenAddress() {
        String yaml = replace(WITH_MIRRORS, "trashMaxBytes: 512m", "trashMaxBytes: lots");
        assertRejected(yaml, lineOf(yaml, "trashMaxBytes"), "mirror.trashMaxBytes", "expected a size");
        yaml = replace(WITH_MIRRORS, "  listen: 10.0.0.1:7410\n", "");
        assertRejected(yaml, lineOf(yaml, "mirror:"), "mirror.listen", "required key 'listen' is missing");
    }

    @Test
    void rejectsAListenPortThatIsTheControlPort() {
        String yaml = replace(WITH_MIRRORS, "listen: 10.0.0.1:7410", "listen: 127.0.0.1:7400");
        assertRejected(yaml, lineOf(yaml, "listen: 127.0.0.1"), "mirror.listen", "also control.port");
    }

    @Test
    void parsesSizesWithSuffixes() {
        assertThat(ConfigLoader.bytes("4096")).isEqualTo(4096);
        assertThat(ConfigLoader.bytes("2k")).isEqualTo(2048);
        assertThat(ConfigLoader.bytes("3G")).isEqualTo(3L << 30);
    }
}
