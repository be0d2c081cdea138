package org.clusterd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.it.ClusterFixture.ALPHA;
import static org.clusterd.it.ClusterFixture.BETA;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import javax.net.ssl.SSLContext;

import org.clusterd.mirror.MirrorKeys;
import org.clusterd.mirror.MirrorTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mirror faults across real daemons: the receiving node's file system fills up (a 2 MiB tmpfs the test
 * mounts), and strangers connect to a node's mirror port. Passes are started with {@code clusterd
 * mirror SET} on beta, the owner of group mail; alpha receives.
 */
@Timeout(180)
class MirrorFaultsIT {
    private static final String SET = "files";

    @TempDir
    Path dir;

    private Path files(String node) {
        return dir.resolve("data").resolve(node).resolve(SET);
    }

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static int run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish");
        }
        if (p.exitValue() != 0) {
            System.out.println(String.join(" ", command) + ": " + out);
        }
        return p.exitValue();
    }

    /** Relative path → size and content hash of every regular file (the set marker left out). */
    private static Map<String, String> tree(Path root) throws IOException {
        Map<String, String> t = new TreeMap<>();
        try (Stream<Path> s = Files.walk(root)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                if (Files.isRegularFile(p) && !p.getFileName().toString().equals(".clusterd-mirror")) {
                    t.put(root.relativize(p).toString(), Files.size(p) + ":" + java.util.Arrays.hashCode(Files.readAllBytes(p)));
                }
            }
        }
        return t;
    }

    private static List<String> temporaryFiles(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".clusterd-tmp-")).toList();
        }
    }

    @Test
    void diskFullOnTheReceivingNodeFailsThePassCleanlyAndTheNextOneSucceedsOnceThereIsRoom() throws Exception {
        ClusterFixture.Options options = ClusterFixture.mirrored(dir.resolve("keys"), SET, "copy", this::files)
                .name("mirrorDiskFull");
        Path small = files(ALPHA);
        assertThat(run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", small.toString()))
                .as("mounting a 2 MiB tmpfs on alpha's set (the test runs as root, as CI does)").isZero();
        try {
            try (ClusterFixture c = ClusterFixture.create(dir.resolve("cluster"), options)) {
                c.startSteady();
                Files.writeString(files(BETA).resolve("small.txt"), "fits");
                Files.write(files(BETA).resolve("doc.bin"), random(512 * 1024, 1));
                ClusterFixture.CliResult first = c.cli(BETA, "mirror", SET);
                assertThat(first.exitCode()).as(first.toString()).isZero();
                byte[] before = Files.readAllBytes(small.resolve("doc.bin"));

                Files.write(files(BETA).resolve("doc.bin"), random(3 << 20, 2)); // larger than alpha's file system
                ClusterFixture.CliResult full = c.cli(BETA, "mirror", SET);
                assertThat(full.exitCode()).as(full.toString()).isNotZero();
                assertThat(full.stdout() + full.stderr()).containsIgnoringCase("FAILED").containsIgnoringCase("space");
                assertThat(small.resolve("doc.bin")).as("the old version stays whole").hasBinaryContent(before);
                assertThat(small.resolve("small.txt")).hasContent("fits");
                assertThat(temporaryFiles(small)).isEmpty();
                assertThat(c.events(BETA, "MirrorFailed")).anyMatch(l -> l.toLowerCase().contains("space"));
                ClusterFixture.CliResult status = c.cli(BETA, "status", "--json");
                assertThat(status.stdout()).containsPattern("\"name\" : \"" + SET + "\"[^}]*\"lastResult\" : \"FAILED\"");
                assertThat(c.runningNow(ClusterFixture.MAIL)).as("a failed pass moves nothing").containsExactly(BETA);

                assertThat(run("mount", "-o", "remount,size=16m", small.toString())).isZero();
                ClusterFixture.CliResult again = c.cli(BETA, "mirror", SET);
                assertThat(again.exitCode()).as(again.toString()).isZero();
                assertThat(tree(small)).isEqualTo(tree(files(BETA)));
            }
        } finally {
            if (run("umount", small.toString()) != 0) {
                run("umount", "-l", small.toString());
            }
        }
    }

    @Test
    void strangersOnTheMirrorPortAreRefusedAndWriteNothing() throws Exception {
        ClusterFixture.Options options = ClusterFixture.mirrored(dir.resolve("keys"), SET, "copy", this::files)
                .name("mirrorStrangers");
        try (ClusterFixture c = ClusterFixture.create(dir.resolve("cluster"), options)) {
            c.startSteady();
            Matcher m = Pattern.compile("mirror:\\n  listen: 127\\.0\\.0\\.1:(\\d+)").matcher(Files.readString(c.config(ALPHA)));
            assertThat(m.find()).isTrue();
            InetSocketAddress port = new InetSocketAddress("127.0.0.1", Integer.parseInt(m.group(1)));
            Map<String, String> before = tree(files(ALPHA));

            // 1. garbage instead of a TLS handshake
            try (Socket s = new Socket()) {
                s.connect(port, 2000);
                s.setSoTimeout(5000);
                OutputStream out = s.getOutputStream();
                out.write(random(64 * 1024, 7));
                out.flush();
                s.getInputStream().read(new byte[16]); // the node answers with an alert or closes
            } catch (IOException expected) {
                // a reset is a refusal too
            }
            // 2. a well-formed TLS client whose certificate no node trusts
            List<MirrorKeys.NodeKeys> strangers = MirrorKeys.generate(dir.resolve("stranger-keys"), List.of("mallory", "eve"));
            SSLContext stranger = MirrorTls.context(strangers.get(0).keystore(), strangers.get(0).truststore(),
                    strangers.get(0).passwordFile());
            try (Socket s = MirrorTls.connect(stranger, port, 5000)) {
                s.getOutputStream().write("HELLO ../../etc/passwd\n".getBytes());
                s.getInputStream().read();
            } catch (IOException expected) {
                // the handshake fails: that is the point
            }

            c.awaitLog(ALPHA, "Mirror connection from .* refused in the TLS handshake", Duration.ofSeconds(20));
            assertThat(tree(files(ALPHA))).as("nothing written by strangers").isEqualTo(before);
            assertThat(c.node(ALPHA).isAlive()).isTrue();

            // the real peer is still served
            Files.writeString(files(BETA).resolve("after.txt"), "still mirrored");
            ClusterFixture.CliResult pass = c.cli(BETA, "mirror", SET);
            assertThat(pass.exitCode()).as(pass.toString()).isZero();
            assertThat(files(ALPHA).resolve("after.txt")).hasContent("still mirrored");

            // a peer in standby refuses all data: the owner does not push to it (a failed pass would page)
            ClusterFixture.CliResult standby = c.cli(ALPHA, "standby");
            assertThat(standby.exitCode()).as(standby.toString()).isZero();
            c.awaitEvent(ALPHA, "StandbyEntered", Duration.ofSeconds(20));
            c.awaitSoleServer(ClusterFixture.WEB, BETA, Duration.ofSeconds(25)); // beta has heard alpha's standby
            ClusterFixture.CliResult held = c.cli(BETA, "mirror", SET);
            assertThat(held.toString()).contains("SKIPPED").contains("standby");
            assertThat(c.events(BETA, "MirrorFailed")).isEmpty();
        }
    }
}
