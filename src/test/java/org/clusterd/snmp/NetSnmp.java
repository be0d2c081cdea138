package org.clusterd.snmp;

import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real net-snmp tools (and check_snmp, smilint) for the SNMP tests. A missing tool fails the
 * test with the Debian package to install: these tests must never pass by skipping. Every run is
 * bounded in time and isolated from the machine's net-snmp configuration and persistent state.
 */
final class NetSnmp {
    static final Path MIBS = Path.of("mibs").toAbsolutePath();
    /** Load CLUSTERD-MIB and SNMPv2-MIB from mibs/ (and nothing from the default list). */
    static final List<String> MIB_ARGS = List.of("-M", "+" + MIBS, "-m", "CLUSTERD-MIB:SNMPv2-MIB");
    static final Duration TIMEOUT = Duration.ofSeconds(20);

    private static final Map<String, String> PACKAGES = Map.of(
            "snmpwalk", "snmp", "snmpget", "snmp", "snmpset", "snmp", "snmpbulkwalk", "snmp", "snmptranslate", "snmp",
            "snmptrapd", "snmptrapd", "snmpd", "snmpd", "smilint", "smitools", "check_snmp", "monitoring-plugins-standard");
    private static final List<Path> DIRS = List.of(Path.of("/usr/bin"), Path.of("/usr/sbin"), Path.of("/usr/lib/nagios/plugins"),
            Path.of("/usr/local/bin"));
    private static final Path HOME = home();

    private NetSnmp() {}

    record Result(int exit, String out, String err, long millis) {
        String all() {
            return out + err;
        }
    }

    /** The tool's path; fails the test (never skips) if it is not installed. */
    static Path tool(String name) {
        for (Path d : DIRS) {
            Path p = d.resolve(name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return fail("%s is not installed: apt-get install %s", name, PACKAGES.getOrDefault(name, "?"));
    }

    /** Private config and persistent directories, so neither ~/.snmp nor /var/lib/snmp matter. */
    static Path home() {
        try {
            Path h = Files.createTempDirectory("clusterd-netsnmp");
            Files.createDirectories(h.resolve("conf"));
            Files.createDirectories(h.resolve("persist"));
            return h;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ProcessBuilder builder(List<String> command) {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("SNMPCONFPATH", HOME.resolve("conf").toString());
        pb.environment().put("SNMP_PERSISTENT_DIR", HOME.resolve("persist").toString());
        pb.environment().put("NAGIOS_PLUGIN_STATE_DIRECTORY", HOME.toString());
        pb.environment().remove("MIBS");
        pb.environment().remove("MIBDIRS");
        return pb;
    }

    /** Runs {@code tool args...} to completion (at most {@link #TIMEOUT}). */
    static Result run(String toolName, List<String> args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(tool(toolName).toString());
        cmd.addAll(args);
        return exec(cmd, Map.of());
    }

    static Result exec(List<String> cmd, Map<String, String> env) {
        try {
            Path out = Files.createTempFile(HOME, "out", ".txt");
            Path err = Files.createTempFile(HOME, "err", ".txt");
            ProcessBuilder pb = builder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
            pb.environment().putAll(env);
            long t0 = System.nanoTime();
            Process p = pb.start();
            try {
                if (!p.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                    return fail("%s did not finish within %s", cmd, TIMEOUT);
                }
            } finally {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
            long millis = (System.nanoTime() - t0) / 1_000_000;
            Result r = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8), millis);
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return r;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static List<String> v2c(String community, String endpoint, String... rest) {
        List<String> a = new ArrayList<>(List.of("-v2c", "-c", community, "-t", "1", "-r", "1"));
        a.addAll(MIB_ARGS);
        a.add(agent(endpoint));
        a.addAll(List.of(rest));
        return a;
    }

    static List<String> v3(String user, String authPass, String privPass, String endpoint, String... rest) {
        List<String> a = new ArrayList<>(List.of("-v3", "-l", "authPriv", "-u", user, "-a", "SHA-256", "-A", authPass,
                "-x", "AES", "-X", privPass, "-t", "1", "-r", "1"));
        a.addAll(MIB_ARGS);
        a.add(agent(endpoint));
        a.addAll(List.of(rest));
        return a;
    }

    /** net-snmp's agent syntax for {@code udp:HOST:PORT}: {@code udp:HOST:PORT} itself. */
    static String agent(String endpoint) {
        return endpoint;
    }
}
