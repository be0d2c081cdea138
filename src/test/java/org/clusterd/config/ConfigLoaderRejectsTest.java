package org.clusterd.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.clusterd.config.ConfigFiles.FAKE_DNS;
import static org.clusterd.config.ConfigFiles.lineOf;
import static org.clusterd.config.ConfigFiles.writeConfig;
import static org.clusterd.config.ConfigFiles.writeKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every way a file can be wrong, each rejected with the file, the line an operator must look at, the
 * dotted key and a reason. Line numbers are found by the text they point at ({@link
 * ConfigFiles#lineOf}) so the cases stay readable.
 */
class ConfigLoaderRejectsTest {
    /** A valid file (see ConfigLoaderTest); lines 1..11. */
    static final String MINIMAL = ConfigLoaderTest.MINIMAL;

    /** MINIMAL plus one group (line 13) whose resources the tests vary: an ip at line 16, an exec at line 20. */
    static final String WITH_GROUP = MINIMAL + """
            groups:
              - name: mail
                home: alpha
                resources:
                  - type: ip
                    name: mail-vip
                    address: 192.168.1.20/32
                    device: eth0
                  - type: exec
                    name: postfix
                    start: postfix start
                    stop: postfix stop
                    status: postfix status
            """;

    @TempDir
    Path dir;

    private Path file() {
        return dir.resolve("clusterd.yaml");
    }

    private static String replace(String yaml, String from, String to) {
        assertThat(yaml).contains(from);
        return yaml.replace(from, to);
    }

    /** Loads {@code yaml} and checks that it is rejected at {@code line} for {@code key}, for a reason containing {@code reason}. */
    private ConfigException assertRejected(String yaml, int line, String key, String reason) {
        writeConfig(dir, yaml);
        return assertFileRejected(line, key, reason);
    }

    private ConfigException assertFileRejected(int line, String key, String reason) {
        try {
            ClusterConfig c = ConfigLoader.load(file(), FAKE_DNS);
            return fail("expected a rejection at line %d (%s) but loaded %s", line, key, c);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).startsWith(file() + ":" + line + ": " + key + ": ");
            assertThat(e.getMessage()).isEqualTo(file() + ":" + line + ": " + key + ": " + e.reason());
            assertThat(e.file()).isEqualTo(file());
            assertThat(e.line()).isEqualTo(line);
            assertThat(e.key()).isEqualTo(key);
            assertThat(e.reason()).contains(reason);
            return e;
        }
    }

    @Nested
    class TheDocument {
        @Test
        void rejectsAnEmptyFile() {
            assertRejected("", 1, "(file)", "empty");
        }

        @Test
        void rejectsAFileOfOnlyComments() {
            assertRejected("# nothing here yet\n\n# still nothing\n", 1, "(file)", "empty");
        }

        @Test
        void rejectsAMissingFile() {
            assertFileRejected(1, "(file)", "no such file");
        }

        @Test
        void rejectsAYamlSyntaxErrorAtTheParsersLine() {
            String yaml = replace(MINIMAL, "    local: 192.168.1.10:694", "      local: 192.168.1.10:694");
            assertRejected(yaml, 10, "(file)", "YAML syntax error: mapping values are not allowed here");
        }

        @Test
        void rejectsTabIndentation() {
            String yaml = replace(MINIMAL, "  port: 7400", "\tport: 7400");
            assertRejected(yaml, 7, "(file)", "YAML syntax error");
        }

        @Test
        void rejectsAnUnclosedQuote() {
            String yaml = replace(MINIMAL, "stateDir: /var/lib/clusterd", "stateDir: \"/var/lib/clusterd\n  # oops");
            ConfigException e = assertRejected(yaml, 13, "(file)", "YAML syntax error");
            assertThat(e.reason()).contains("while scanning a quoted scalar started at line 5");
        }

        @Test
        void rejectsMoreThanOneDocument() {
            assertRejected(MINIMAL + "---\ncluster: other\n", lineOf(MINIMAL + "---", "---"), "(file)", "single document");
        }

        @Test
        void rejectsTextThatIsNotUtf8() throws IOException {
            byte[] bad = (MINIMAL + "# caf\u00e9\n").getBytes(StandardCharsets.ISO_8859_1);
            writeConfig(dir, "");
            Files.write(file(), bad);
            assertFileRejected(12, "(file)", "UTF-8");
        }

        @Test
        void rejectsATopLevelList() {
            assertRejected("- cluster: office\n- node: alpha\n", 1, "(file)", "expected a mapping");
        }

        @Test
        void rejectsATopLevelScalar() {
            assertRejected("office\n", 1, "(file)", "expected a mapping");
        }

        @Test
        void rejectsAnUnknownTopLevelKeyAndListsTheAllowedOnes() {
            ConfigException e = assertRejected(MINIMAL + "colour: red\n", 12, "colour", "unknown key 'colour'");
            assertThat(e.reason()).contains("allowed here: cluster, node, peer, keyFile, stateDir, control, timers,"
                    + " links, pingNodes, failurePolicy, groups, notify");
        }

        @Test
        void rejectsAnUnknownNestedKey() {
            String yaml = replace(MINIMAL, "  port: 7400\n", "  port: 7400\n  bind: 0.0.0.0\n");
            ConfigException e = assertRejected(yaml, 8, "control.bind", "unknown key 'bind'");
            assertThat(e.reason()).contains("allowed here: port, tokenFile");
        }

        @Test
        void rejectsAKeyOfAnotherResourceType() {
            String yaml = replace(WITH_GROUP, "        device: eth0\n", "        device: eth0\n        unit: vip.service\n");
            ConfigException e = assertRejected(yaml, lineOf(yaml, "unit: vip"), "groups[0].resources[0].unit", "unknown key 'unit'");
            assertThat(e.reason()).contains("address, device, gratuitousArp, takeoverMac, macDevice, netns");
        }

        @Test
        void rejectsAMergeKey() {
            String yaml = replace(MINIMAL, "control:\n  port: 7400", "defaults: &d\n  port: 7400\ncontrol:\n  <<: *d");
            assertRejected(yaml, 6, "defaults", "unknown key 'defaults'");
        }

        @Test
        void rejectsADuplicateTopLevelKey() {
            assertRejected(MINIMAL + "node: gamma\n", 12, "node", "duplicate key 'node' (first given at line 2)");
        }

        @Test
        void rejectsADuplicateKeyInAListItem() {
            String yaml = replace(MINIMAL, "    peer: 192.168.1.11:694", "    peer: 192.168.1.11:694\n    local: 10.0.0.1:694");
            assertRejected(yaml, 12, "links[0].local", "duplicate key 'local' (first given at line 10)");
        }

        @Test
        void rejectsAComplexKey() {
            assertRejected(MINIMAL + "? [a, b]\n: c\n", 12, "(file)", "keys must be plain words");
        }

        @Test
        void rejectsNulCharactersInValues() {
            assertRejected(replace(MINIMAL, "cluster: office", "cluster: \"off\\0ice\""), 1, "cluster", "NUL");
        }
    }

    @Nested
    class Types {
        @Test
        void rejectsAStringWhereAListIsExpected() {
            String yaml = MINIMAL.substring(0, MINIMAL.indexOf("links:")) + "links: lan\n";
            assertRejected(yaml, 8, "links", "expected a list but found the value 'lan'");
        }

        @Test
        void rejectsAStringWhereAMappingIsExpected() {
            assertRejected(replace(MINIMAL, "control:\n  port: 7400", "control: 7400"), 6, "control",
                    "expected a mapping of keys to values but found the value '7400'");
        }

        @Test
        void rejectsAListItemThatIsNotAMapping() {
            String yaml = MINIMAL.substring(0, MINIMAL.indexOf("links:")) + "links:\n  - lan\n";
            assertRejected(yaml, 9, "links[0]", "expected a mapping");
        }

        @Test
        void rejectsAListWhereAValueIsExpected() {
            assertRejected(replace(MINIMAL, "cluster: office", "cluster: [office, home]"), 1, "cluster",
                    "expected a single value but found a list");
        }

        @Test
        void rejectsANonIntegerPort() {
            assertRejected(replace(MINIMAL, "port: 7400", "port: abc"), 7, "control.port", "expected a whole number but found 'abc'");
        }

        @Test
        void rejectsAFractionalPort() {
            assertRejected(replace(MINIMAL, "port: 7400", "port: 7400.5"), 7, "control.port", "expected a whole number");
        }

        @Test
        void rejectsADurationThatIsNotOne() {
            assertRejected(MINIMAL + "timers:\n  deadTime: abc\n", 13, "timers.deadTime", "'abc' is not a duration");
        }

        @Test
        void rejectsAFractionalDuration() {
            assertRejected(MINIMAL + "timers:\n  deadTime: 1.5s\n", 13, "timers.deadTime", "not a duration");
        }

        @Test
        void rejectsABooleanOtherThanTrueOrFalse() {
            String yaml = replace(WITH_GROUP, "        device: eth0\n", "        device: eth0\n        gratuitousArp: yes\n");
            assertRejected(yaml, lineOf(yaml, "gratuitousArp"), "groups[0].resources[0].gratuitousArp",
                    "expected true or false but found 'yes'");
        }

        @Test
        void rejectsAnEmptyValueForARequiredString() {
            assertRejected(replace(MINIMAL, "cluster: office", "cluster:"), 1, "cluster", "no value given");
        }

        @Test
        void rejectsAnIntegerOutsideItsRange() {
            assertRejected(MINIMAL + "failurePolicy:\n  maxFailovers: 0\n", 13, "failurePolicy.maxFailovers", "out of range 1..1000");
        }
    }

    @Nested
    class RequiredKeys {
        @Test
        void rejectsAMissingTopLevelKeyAtTheTopMapping() {
            String yaml = replace(MINIMAL, "cluster: office\n", "");
            assertRejected(yaml, 1, "cluster", "required key 'cluster' is missing");
        }

        @Test
        void rejectsAMissingControlSection() {
            String yaml = replace(MINIMAL, "control:\n  port: 7400\n", "");
            assertRejected(yaml, 1, "control", "required key 'control' is missing");
        }

        @Test
        void rejectsAMissingKeyAtTheLineThatOpensItsSection() {
            String yaml = replace(MINIMAL, "  port: 7400", "  tokenFile: token");
            assertRejected(yaml, 6, "control.port", "required key 'port' is missing");
        }

        @Test
        void rejectsAMissingKeyInAListItemAtTheItemsLine() {
            String yaml = replace(MINIMAL, "    peer: 192.168.1.11:694\n", "");
            assertRejected(yaml, 9, "links[0].peer", "required key 'peer' is missing");
        }

        @Test
        void rejectsAnExecResourceWithoutAStopCommand() {
            String yaml = replace(WITH_GROUP, "        stop: postfix stop\n", "");
            assertRejected(yaml, lineOf(yaml, "- type: exec"), "groups[0].resources[1].stop", "required key 'stop' is missing");
        }

        @Test
        void rejectsAResourceWithoutAType() {
            String yaml = replace(WITH_GROUP, "      - type: exec\n        name: postfix", "      - name: postfix");
            assertRejected(yaml, lineOf(yaml, "- name: postfix"), "groups[0].resources[1].type", "exec, lsb, systemd, ip");
        }

        @Test
        void rejectsAnUnknownResourceType() {
            String yaml = replace(WITH_GROUP, "type: exec", "type: docker");
            assertRejected(yaml, lineOf(yaml, "type: docker"), "groups[0].resources[1].type",
                    "unknown resource type 'docker'; it is one of exec, lsb, systemd, ip");
        }

        @Test
        void rejectsAnEmptyLinkList() {
            String yaml = MINIMAL.substring(0, MINIMAL.indexOf("links:")) + "links: []\n";
            assertRejected(yaml, 8, "links", "at least one link is required");
        }
    }

    @Nested
    class Names {
        @Test
        void rejectsANodeNameWithASpace() {
            assertRejected(replace(MINIMAL, "node: alpha", "node: alpha one"), 2, "node", "'alpha one' is not a valid name");
        }

        @Test
        void rejectsAClusterNameLongerThan32() {
            assertRejected(replace(MINIMAL, "cluster: office", "cluster: " + "x".repeat(33)), 1, "cluster", "1 to 32");
        }

        @Test
        void rejectsDotDotAsAName() {
            assertRejected(replace(MINIMAL, "name: lan", "name: .."), 9, "links[0].name", "not a valid name");
        }

        @Test
        void rejectsAGroupNameWithASlash() {
            assertRejected(replace(WITH_GROUP, "name: mail", "name: mail/spool"), 13, "groups[0].name", "not a valid name");
        }

        @Test
        void rejectsAPeerEqualToTheNode() {
            assertRejected(replace(MINIMAL, "peer: beta", "peer: alpha"), 3, "peer", "must name the other node");
        }

        @Test
        void rejectsAGroupHomeThatIsNeitherNode() {
            assertRejected(replace(WITH_GROUP, "home: alpha", "home: gamma"), 14, "groups[0].home",
                    "home must be this node (alpha) or its peer (beta), not 'gamma'");
        }

        @Test
        void rejectsAFailbackOtherThanAutoOrManual() {
            String yaml = replace(WITH_GROUP, "    home: alpha\n", "    home: alpha\n    failback: sometimes\n");
            assertRejected(yaml, 15, "groups[0].failback", "auto or manual");
        }

        @Test
        void rejectsDuplicateGroupNames() {
            String yaml = WITH_GROUP + "  - name: mail\n    home: beta\n";
            assertRejected(yaml, 25, "groups[1].name",
                    "duplicate group name 'mail' (first used at line 13)");
        }

        @Test
        void rejectsDuplicateResourceNamesInAGroup() {
            String yaml = replace(WITH_GROUP, "name: postfix", "name: mail-vip");
            assertRejected(yaml, 21, "groups[0].resources[1].name",
                    "duplicate resource name 'mail-vip'");
        }

        @Test
        void allowsTheSameResourceNameInTwoGroups() throws Exception {
            String yaml = WITH_GROUP + """
                      - name: files
                        home: beta
                        resources:
                          - type: systemd
                            name: postfix
                            unit: postfix.service
                    """;
            assertThat(ConfigLoader.load(writeConfig(dir, yaml)).groups()).hasSize(2);
        }

        @Test
        void rejectsDuplicateLinkNames() {
            String yaml = MINIMAL + "  - name: lan\n    local: 10.0.0.1:694\n    peer: 10.0.0.2:694\n";
            assertRejected(yaml, 12, "links[1].name", "duplicate link name 'lan' (first used at line 9)");
        }

        @Test
        void rejectsABadEnvironmentVariableName() {
            String yaml = replace(WITH_GROUP, "        status: postfix status\n",
                    "        status: postfix status\n        environment:\n          MAIL-DIR: /var/mail\n");
            assertRejected(yaml, lineOf(yaml, "MAIL-DIR"), "groups[0].resources[1].environment.MAIL-DIR",
                    "not a valid environment variable name");
        }

        @Test
        void rejectsASystemdUnitThatLooksLikeAnOption() {
            String yaml = WITH_GROUP + "      - type: systemd\n        name: x\n        unit: --force\n";
            assertRejected(yaml, lineOf(yaml, "--force"), "groups[0].resources[2].unit", "not a systemd unit name");
        }

        @Test
        void rejectsABadEventName() {
            String yaml = MINIMAL + "notify:\n  - events: [takeover completed]\n    command: /bin/true\n";
            assertRejected(yaml, 13, "notify[0].events[0]", "not an event type name");
        }

        @Test
        void rejectsAnEmptyEventList() {
            String yaml = MINIMAL + "notify:\n  - events: []\n    command: /bin/true\n";
            assertRejected(yaml, 13, "notify[0].events", "leave events out");
        }

        @Test
        void rejectsANotifierWithoutCommand() {
            String yaml = MINIMAL + "notify:\n  - events: [StandbyEntered]\n";
            assertRejected(yaml, 13, "notify[0].command", "required key 'command' is missing");
        }
    }

    @Nested
    class PortsAndAddresses {
        @Test
        void rejectsControlPortZero() {
            assertRejected(replace(MINIMAL, "port: 7400", "port: 0"), 7, "control.port", "0 is out of range 1..65535");
        }

        @Test
        void rejectsControlPortAbove65535() {
            assertRejected(replace(MINIMAL, "port: 7400", "port: 65536"), 7, "control.port", "out of range 1..65535");
        }

        @Test
        void rejectsALinkPortOutOfRange() {
            assertRejected(replace(MINIMAL, "192.168.1.10:694", "192.168.1.10:70000"), 10, "links[0].local",
                    "port 70000 is out of range 1..65535");
        }

        @Test
        void rejectsALinkPortZero() {
            assertRejected(replace(MINIMAL, "192.168.1.11:694", "192.168.1.11:0"), 11, "links[0].peer", "out of range");
        }

        @Test
        void rejectsTwoLinksBindingTheSameAddressAndPort() {
            String yaml = MINIMAL + "  - name: wan\n    local: 192.168.1.10:694\n    peer: 10.0.0.2:694\n";
            assertRejected(yaml, 13, "links[1].local", "port 694 on this host is already bound by lan (line 10)");
        }

        @Test
        void rejectsALinkOnTheWildcardAddressSharingAnotherLinksPort() {
            String yaml = MINIMAL + "  - name: wan\n    local: 0.0.0.0:694\n    peer: 10.0.0.2:694\n";
            assertRejected(yaml, 13, "links[1].local", "already bound by lan");
        }

        @Test
        void allowsTwoLinksOnTheSamePortOfDifferentAddresses() throws Exception {
            String yaml = MINIMAL + "  - name: crossover\n    local: 10.0.0.1:694\n    peer: 10.0.0.2:694\n";
            assertThat(ConfigLoader.load(writeConfig(dir, yaml)).links()).hasSize(2);
        }

        @Test
        void rejectsALinkOnLoopbackUsingTheControlPort() {
            String yaml = replace(MINIMAL, "local: 192.168.1.10:694", "local: 127.0.0.1:7400");
            assertRejected(yaml, 10, "links[0].local", "also control.port");
        }

        @Test
        void rejectsALinkOnTheWildcardUsingTheControlPort() {
            String yaml = replace(MINIMAL, "local: 192.168.1.10:694", "local: 0.0.0.0:7400");
            assertRejected(yaml, 10, "links[0].local", "also control.port");
        }

        @Test
        void allowsTheControlPortNumberOnAnotherAddress() throws Exception {
            String yaml = replace(MINIMAL, "local: 192.168.1.10:694", "local: 192.168.1.10:7400");
            assertThat(ConfigLoader.load(writeConfig(dir, yaml)).links()).hasSize(1);
        }

        @Test
        void rejectsABadIpv4Address() {
            assertRejected(replace(MINIMAL, "192.168.1.11:694", "192.168.1.311:694"), 11, "links[0].peer", "not an IPv4 address");
        }

        @Test
        void rejectsAnUnresolvableHostName() {
            assertRejected(replace(MINIMAL, "192.168.1.11:694", "no-such-host.invalid:694"), 11, "links[0].peer",
                    "cannot resolve host name 'no-such-host.invalid'");
        }

        @Test
        void rejectsAnInvalidHostName() {
            assertRejected(replace(MINIMAL, "192.168.1.11:694", "beta_lan!:694"), 11, "links[0].peer",
                    "neither an IP address nor a valid host name");
        }

        @Test
        void rejectsAnAddressWithoutPort() {
            assertRejected(replace(MINIMAL, "192.168.1.11:694", "192.168.1.11"), 11, "links[0].peer", "has no port");
        }

        @Test
        void rejectsAnIpv6AddressWithoutBrackets() {
            assertRejected(replace(MINIMAL, "192.168.1.11:694", "fd00::11:694"), 11, "links[0].peer", "in brackets");
        }

        @Test
        void rejectsLinkEndsOfDifferentFamilies() {
            assertRejected(replace(MINIMAL, "192.168.1.11:694", "\"[fd00::11]:694\""), 11, "links[0].peer", "same family");
        }

        @Test
        void rejectsAPingNodeWithAPortButNoTcpPrefix() {
            String yaml = MINIMAL + "pingNodes:\n  - 192.168.1.1\n  - 192.168.1.1:22\n";
            assertRejected(yaml, 14, "pingNodes[1]", "tcp:HOST:PORT");
        }

        @Test
        void rejectsAPingNodeListedTwice() {
            String yaml = MINIMAL + "pingNodes:\n  - tcp:192.168.1.1:22\n  - tcp:192.168.1.1:22\n";
            assertRejected(yaml, 14, "pingNodes[1]", "listed twice (first at line 13)");
        }
    }

    @Nested
    class Timers {
        private String timers(String body) {
            return MINIMAL + "timers:\n" + body;
        }

        @Test
        void rejectsWarnTimeBelowTheHeartbeatInterval() {
            assertRejected(timers("  heartbeatInterval: 1s\n  warnTime: 900ms\n"), 14, "timers.warnTime",
                    "warnTime (900ms) must be at least heartbeatInterval (1s)");
        }

        @Test
        void rejectsDeadTimeBelowTwiceTheHeartbeatInterval() {
            assertRejected(timers("  heartbeatInterval: 1s\n  warnTime: 1s\n  deadTime: 1900ms\n"), 15, "timers.deadTime",
                    "deadTime (1900ms) must be at least twice heartbeatInterval (1s)");
        }

        @Test
        void rejectsDeadTimeNotAboveWarnTime() {
            assertRejected(timers("  warnTime: 3s\n  deadTime: 3s\n"), 14, "timers.deadTime",
                    "deadTime (3s) must be longer than warnTime (3s)");
        }

        @Test
        void rejectsInitDeadBelowDeadTime() {
            assertRejected(timers("  initDead: 2s\n"), 13, "timers.initDead", "initDead (2s) must be at least deadTime (3s)");
        }

        @Test
        void blamesTheKeyTheFileSetWhenADefaultBreaksTheRule() {
            // deadTime keeps its default 3s, which a 2s heartbeat makes too short: the file set only the interval
            assertRejected(timers("  heartbeatInterval: 2s\n  warnTime: 2s\n"), 13, "timers.heartbeatInterval",
                    "deadTime (3s) must be at least twice heartbeatInterval (2s)");
        }

        @Test
        void rejectsAZeroDuration() {
            assertRejected(timers("  heartbeatInterval: 0ms\n"), 13, "timers.heartbeatInterval", "must be a positive duration");
        }

        @Test
        void rejectsANegativeDuration() {
            assertRejected(timers("  deadTime: -3s\n"), 13, "timers.deadTime", "must be a positive duration, not '-3s'");
        }

        @Test
        void rejectsAZeroResourceTimeout() {
            String yaml = replace(WITH_GROUP, "        device: eth0\n", "        device: eth0\n        timeout: 0s\n");
            assertRejected(yaml, lineOf(yaml, "timeout: 0s"), "groups[0].resources[0].timeout", "must be a positive duration");
        }

        @Test
        void rejectsANegativeMonitorInterval() {
            String yaml = replace(WITH_GROUP, "        device: eth0\n", "        device: eth0\n        monitorInterval: -1\n");
            assertRejected(yaml, lineOf(yaml, "monitorInterval"), "groups[0].resources[0].monitorInterval", "positive");
        }

        @Test
        void rejectsAZeroNotifyTimeout() {
            String yaml = MINIMAL + "notify:\n  - command: /bin/true\n    timeout: 0\n";
            assertRejected(yaml, 14, "notify[0].timeout", "must be a positive duration");
        }

        @Test
        void rejectsAZeroFailureWindow() {
            assertRejected(MINIMAL + "failurePolicy:\n  window: 0m\n", 13, "failurePolicy.window", "positive");
        }

        @Test
        void rejectsADurationLongerThanAWeek() {
            // 2562047788015h is just below Long.MAX_VALUE milliseconds: 2 x heartbeatInterval would wrap
            assertRejected(timers("  heartbeatInterval: 2562047788015h\n"), 13, "timers.heartbeatInterval",
                    "longer than the longest allowed duration, 168h");
        }

        @Test
        void rejectsADurationTooLargeForALong() {
            assertRejected(timers("  initDead: 999999999999999h\n"), 13, "timers.initDead", "too large");
        }
    }

    @Nested
    class KeyFile {
        private final String yaml = MINIMAL;

        @Test
        void rejectsAMissingKeyFile() throws IOException {
            writeConfig(dir, yaml);
            Files.delete(dir.resolve("cluster.key"));
            ConfigException e = assertFileRejected(4, "keyFile", "does not exist");
            assertThat(e.reason()).contains(dir.resolve("cluster.key").toString());
        }

        @Test
        void rejectsAKeyFileThatIsADirectory() throws IOException {
            Files.createDirectory(dir.resolve("keys"));
            assertRejected(replace(yaml, "keyFile: cluster.key", "keyFile: keys"), 4, "keyFile", "not a regular file");
        }

        @Test
        void rejectsAnUnreadableKeyFile() throws IOException {
            writeConfig(dir, yaml);
            Path key = dir.resolve("cluster.key");
            Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("-w-------"));
            Assumptions.assumeFalse(Files.isReadable(key), "running as root: every file is readable");
            assertFileRejected(4, "keyFile", "not readable");
        }

        @Test
        void rejectsAKeyShorterThan32Bytes() {
            writeKey(dir.resolve("cluster.key"), 31);
            assertRejected(yaml, 4, "keyFile", "holds 31 bytes; the key must be at least 32 bytes");
        }

        @Test
        void rejectsAGroupReadableKeyFile() throws IOException {
            writeConfig(dir, yaml);
            Files.setPosixFilePermissions(dir.resolve("cluster.key"), PosixFilePermissions.fromString("rw-r-----"));
            ConfigException e = assertFileRejected(4, "keyFile", "accessible by group or others (mode rw-r-----)");
            assertThat(e.reason()).contains("chmod 600 " + dir.resolve("cluster.key"));
        }

        @Test
        void rejectsAWorldReadableKeyFile() throws IOException {
            writeConfig(dir, yaml);
            Files.setPosixFilePermissions(dir.resolve("cluster.key"), PosixFilePermissions.fromString("rw----r--"));
            assertFileRejected(4, "keyFile", "chmod 600");
        }

        @Test
        void acceptsAReadOnlyKeyFile() throws Exception {
            writeConfig(dir, yaml);
            Files.setPosixFilePermissions(dir.resolve("cluster.key"), PosixFilePermissions.fromString("r--------"));
            assertThat(ConfigLoader.load(file()).clusterKey()).hasSize(32);
        }

        @Test
        void rejectsAStateDirThatIsAFile() {
            assertRejected(replace(yaml, "stateDir: /var/lib/clusterd", "stateDir: cluster.key"), 5, "stateDir",
                    "is not a directory");
        }
    }

    @Nested
    class IpResources {
        private String withIp(String extra) {
            return replace(WITH_GROUP, "        device: eth0\n", "        device: eth0\n" + extra);
        }

        @Test
        void rejectsAnOctetAbove255() {
            String yaml = replace(WITH_GROUP, "192.168.1.20/32", "192.168.1.300/32");
            assertRejected(yaml, 18, "groups[0].resources[0].address", "not an IPv4 address");
        }

        @Test
        void rejectsAnIpv4PrefixAbove32() {
            String yaml = replace(WITH_GROUP, "192.168.1.20/32", "192.168.1.20/33");
            assertRejected(yaml, 18, "groups[0].resources[0].address", "prefix '33' must be a number 0..32");
        }

        @Test
        void rejectsAnIpv6PrefixAbove128() {
            String yaml = replace(WITH_GROUP, "192.168.1.20/32", "fd00::20/129");
            assertRejected(yaml, 18, "groups[0].resources[0].address", "0..128");
        }

        @Test
        void rejectsAnEmptyPrefix() {
            String yaml = replace(WITH_GROUP, "192.168.1.20/32", "192.168.1.20/");
            assertRejected(yaml, 18, "groups[0].resources[0].address", "prefix");
        }

        @Test
        void rejectsAHostNameAsAddress() {
            String yaml = replace(WITH_GROUP, "192.168.1.20/32", "mail.example.com");
            assertRejected(yaml, 18, "groups[0].resources[0].address", "not an IP address");
        }

        @Test
        void rejectsTheSameAddressInTwoGroups() {
            String yaml = WITH_GROUP + """
                      - name: files
                        home: beta
                        resources:
                          - type: ip
                            name: files-vip
                            address: 192.168.1.20/24
                            device: eth1
                    """;
            assertRejected(yaml, lineOf(yaml, "192.168.1.20/24"), "groups[1].resources[0].address",
                    "already used by groups[0].resources[0].address (line 18)");
        }

        @Test
        void rejectsATakeoverMacThatIsNotAMac() {
            assertRejected(withIp("        takeoverMac: 02:00:00:00:01\n        macDevice: eth2\n"), 20,
                    "groups[0].resources[0].takeoverMac", "not a MAC address");
        }

        @Test
        void rejectsAMulticastTakeoverMac() {
            assertRejected(withIp("        takeoverMac: 01:00:5e:00:00:01\n        macDevice: eth2\n"), 20,
                    "groups[0].resources[0].takeoverMac", "multicast");
        }

        @Test
        void rejectsATakeoverMacWithoutMacDevice() {
            assertRejected(withIp("        takeoverMac: 02:00:00:00:00:01\n"), 20,
                    "groups[0].resources[0].takeoverMac", "takeoverMac needs macDevice");
        }

        @Test
        void rejectsAMacDeviceWithoutTakeoverMac() {
            assertRejected(withIp("        macDevice: eth2\n"), 20, "groups[0].resources[0].macDevice", "only used together");
        }

        @Test
        void rejectsADeviceNameLongerThan15() {
            String yaml = replace(WITH_GROUP, "device: eth0", "device: enp0s31f6-very-long");
            assertRejected(yaml, 19, "groups[0].resources[0].device", "not a network interface name");
        }

        @Test
        void rejectsABadNetnsName() {
            assertRejected(withIp("        netns: ../../etc\n"), 20, "groups[0].resources[0].netns", "not a network namespace name");
        }
    }
}
