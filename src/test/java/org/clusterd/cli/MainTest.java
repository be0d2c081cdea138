package org.clusterd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.clusterd.harness.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The commands that need no daemon: check-config, keygen, usage errors, help, demo, run's config check. */
class MainTest {
    @TempDir
    Path dir;

    private static void assertNoStackTrace(CliRun run) {
        assertThat(run.err()).doesNotContain("\tat ").doesNotContain("Exception");
        assertThat(run.out()).doesNotContain("\tat ");
    }

    @Test
    void checkConfigAcceptsAGoodFileWithASummary() throws Exception {
        Path file = ConfigFixtures.write(dir, "clusterd.yaml", ConfigFixtures.yaml(7400));

        CliRun run = CliRun.of("check-config", file.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).isEqualTo(file + ": OK (cluster office, node alpha, peer beta, 2 links, 2 groups)\n");
    }

    @Test
    void checkConfigRejectsABadValueWithFileAndLine() throws Exception {
        String yaml = ConfigFixtures.yaml(7400).replace("port: 7400", "port: 99999");
        Path file = ConfigFixtures.write(dir, "clusterd.yaml", yaml);

        CliRun run = CliRun.of("check-config", file.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith(file + ":" + ConfigFixtures.lineOf(yaml, "port: 99999") + ": control.port: ");
        assertThat(run.out()).isEmpty();
        assertNoStackTrace(run);
    }

    @Test
    void checkConfigRejectsAnUnknownKeyAndBrokenYaml() throws Exception {
        String unknown = ConfigFixtures.yaml(7400).replace("stateDir: state", "stateDir: state\nstatedir: typo");
        Path file = ConfigFixtures.write(dir, "unknown.yaml", unknown);
        CliRun run = CliRun.of("check-config", file.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith(file + ":" + ConfigFixtures.lineOf(unknown, "statedir: typo") + ": ");

        Path broken = ConfigFixtures.write(dir, "broken.yaml", "cluster: office\nnode: [alpha\n");
        run = CliRun.of("check-config", broken.toString());
        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith(broken + ":");
        assertNoStackTrace(run);
    }

    @Test
    void checkConfigOfAMissingFileSaysSo() {
        Path missing = dir.resolve("nope.yaml");

        CliRun run = CliRun.of("check-config", missing.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).isEqualTo(missing + ":1: (file): no such file\n");
    }

    @Test
    void runRefusesABadConfigurationBeforeStartingAnything() throws Exception {
        Path file = ConfigFixtures.write(dir, "clusterd.yaml", ConfigFixtures.yaml(7400).replace("peer: beta", "peer: alpha"));

        CliRun run = CliRun.of("run", "--config", file.toString());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith(file + ":3: peer: ");
        assertNoStackTrace(run);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "frobnicate", "--bogus", "check-config", "check-config a b", "failover", "failback",
            "status --bogus", "status --config", "keygen", "standby extra"})
    void usageErrorsExitTwoWithAMessage(String args) {
        CliRun run = CliRun.of(args.isEmpty() ? new String[0] : args.split(" "));

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("clusterd").containsAnyOf("Usage:", "--help");
        assertNoStackTrace(run);
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "check-config", "status", "standby", "join", "failover", "failback", "keygen", "demo"})
    void everySubcommandHasHelp(String command) {
        CliRun run = CliRun.of(command, "--help");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).startsWith("Usage: clusterd " + command);
    }

    @Test
    void topLevelHelpListsCommandsAndExitCodes() {
        CliRun run = CliRun.of("--help");

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("check-config", "status", "failover", "keygen", "Exit codes:",
                "3   no clusterd daemon answers");
    }

    @Test
    void keygenWritesAPrivateKeyThatTheConfigurationAccepts() throws Exception {
        Path key = dir.resolve("cluster.key");

        CliRun run = CliRun.of("keygen", key.toString());

        assertThat(run.exit()).isZero();
        assertThat(run.out()).contains("wrote a new 32-byte cluster key to " + key);
        assertThat(Files.readAllBytes(key)).hasSize(32);
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
        try (var files = Files.list(dir)) {
            assertThat(files).containsExactly(key); // no temp file left
        }
        Path config = ConfigFixtures.write(dir, "clusterd.yaml", ConfigFixtures.yaml(7400));
        assertThat(CliRun.of("check-config", config.toString()).exit()).isZero();
    }

    @Test
    void keygenRefusesToOverwriteUnlessForced() throws Exception {
        Path key = dir.resolve("cluster.key");
        CliRun.of("keygen", key.toString());
        byte[] first = Files.readAllBytes(key);

        CliRun refused = CliRun.of("keygen", key.toString());

        assertThat(refused.exit()).isEqualTo(1);
        assertThat(refused.err()).contains(key + " exists", "--force");
        assertThat(Files.readAllBytes(key)).isEqualTo(first);

        CliRun forced = CliRun.of("keygen", "--force", key.toString());

        assertThat(forced.exit()).isZero();
        assertThat(Files.readAllBytes(key)).hasSize(32).isNotEqualTo(first);
        assertThat(Files.getPosixFilePermissions(key)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void keygenIntoAMissingDirectoryFailsClearly() {
        CliRun run = CliRun.of("keygen", dir.resolve("no/such/dir/cluster.key").toString());

        assertThat(run.exit()).isEqualTo(1);
        assertThat(run.err()).contains("does not exist");
        assertNoStackTrace(run);
    }

    @Test
    void configDefaultsToTheEnvironmentThenToEtc() throws Exception {
        Path file = ConfigFixtures.write(dir, "clusterd.yaml", ConfigFixtures.yaml(FreePorts.next()));
        Main fromEnv = new Main(java.util.Map.of(Main.CONFIG_ENV, file.toString()));
        Main plain = new Main(java.util.Map.of());

        assertThat(fromEnv.configFile(null)).isEqualTo(file);
        assertThat(fromEnv.configFile(Path.of("/x.yaml"))).isEqualTo(Path.of("/x.yaml"));
        assertThat(plain.configFile(null)).isEqualTo(Path.of("/etc/clusterd/clusterd.yaml"));
    }
}
