package org.clusterd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.it.ClusterFixture.ALPHA;
import static org.clusterd.it.ClusterFixture.BETA;
import static org.clusterd.it.ClusterFixture.MAIL;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power losses in the middle of the resync that brings group mail's data back to its returning home
 * node beta: of the owner and of the receiving home node, each during the bulk pass (group still
 * running on the owner) and during the final pass (group down on both). After each, every
 * file on both nodes is whole (old or new content, never half, no temporary file left behind), nothing
 * the test wrote is lost, and a later resync finishes the job: both trees end up exactly equal to
 * what the test wrote.
 */
@Timeout(300)
class ResyncCrashIT {
    private static final Duration WITHIN = Duration.ofSeconds(60);
    private static final int FILES = 300;
    private static final int SIZE = 256 * 1024;
    private static final String SET = "files";

    @TempDir
    Path dir;

    private Path files(String node) {
        return dir.resolve("data").resolve(node).resolve(SET);
    }

    private static byte[] content(int i) {
        return random(SIZE, i);
    }

    private static void writeAll(Path into) throws IOException {
        Files.createDirectories(into);
        for (int i = 0; i < FILES; i++) {
            Files.write(into.resolve("f" + i), content(i));
        }
    }

    private long arrived(String node) throws IOException {
        try (Stream<Path> s = Files.list(files(node))) {
            return s.filter(p -> p.getFileName().toString().startsWith("f")).count();
        }
    }

    private ClusterFixture.Options mirrored(String name) throws IOException {
        return ClusterFixture.mirrored(dir.resolve("keys"), SET, "copy", this::files).name(name);
    }

    /** Which pass of the resync a power loss interrupts. */
    enum Pass { BULK, FINAL }

    /**
     * A steady cluster; beta loses power and alpha takes mail over; with {@code Pass.BULK} the files
     * are written on alpha during the outage (the bulk pass carries them), with {@code Pass.FINAL}
     * the flush resource writes them when alpha stops mail (the final pass carries them). Beta
     * returns, and once part of the pass has arrived, {@code victim} loses power.
     */
    private void powerLossDuringTheResync(ClusterFixture c, Pass pass, String victim) throws Exception {
        c.startSteady();
        c.crash(BETA);
        c.awaitRunningOn(MAIL, Set.of(ALPHA), WITHIN);
        if (pass == Pass.BULK) {
            writeAll(files(ALPHA));
        }
        c.start(BETA); // alpha now mirrors the data back before handing mail home
        awaitArrivals(BETA, 10);
        if (pass == Pass.FINAL) {
            assertThat(c.events(ALPHA, "ResyncStarted")).as("alpha is in its final pass").anyMatch(l -> l.contains("FINAL"));
        }
        c.crash(victim);
        System.out.println(pass + " pass: files on beta when " + victim + " lost power: " + arrived(BETA) + " of " + FILES);
    }

    private ClusterFixture.Options optionsFor(Pass pass, String name) throws IOException {
        return pass == Pass.BULK ? mirrored(name) : flushingAtStop(name);
    }

    @ParameterizedTest
    @EnumSource(Pass.class)
    void powerLossOfTheOwner(Pass pass) throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir.resolve("cluster"), optionsFor(pass, "resyncCrashOwner" + pass))) {
            powerLossDuringTheResync(c, pass, ALPHA);
            c.awaitRunningOn(MAIL, Set.of(BETA), WITHIN);
            assertWholeAndNothingLost();
            finishWithAnotherResync(c);
        }
    }

    @ParameterizedTest
    @EnumSource(Pass.class)
    void powerLossOfTheReceivingHomeNode(Pass pass) throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir.resolve("cluster"), optionsFor(pass, "resyncCrashReceiver" + pass))) {
            powerLossDuringTheResync(c, pass, BETA);
            // the owner keeps the group (or, after a final pass, starts it again) rather than leave it down
            c.awaitSoleServer(MAIL, ALPHA, WITHIN);
            c.holdsFor("alpha keeps serving mail", Duration.ofSeconds(2), () -> c.runningNow(MAIL).equals(Set.of(ALPHA)));
            c.start(BETA); // the next resync completes the interrupted one, then mail goes home
            c.awaitSoleServer(MAIL, BETA, WITHIN);
            assertTreesExactly();
            c.assertNeverTwoOwners();
        }
    }

    /**
     * Options whose mail group has a second resource, "queue flush", that writes the files into
     * alpha's set when it is stopped there, as a mail server flushing its queue to the spool on
     * shutdown would: the final pass, which only runs with the group down, then has them to carry.
     */
    private ClusterFixture.Options flushingAtStop(String name) throws IOException {
        Path outbox = dir.resolve("outbox");
        writeAll(outbox);
        return mirrored(name).extraResources((node, group) -> {
            if (!group.equals(MAIL)) {
                return "";
            }
            String flag = "\"$CLUSTERD_STATE_DIR/flush.on\"";
            String flush = node.equals(ALPHA) ? "cp \"" + outbox + "\"/f* \"" + files(ALPHA) + "\"/ && " : "";
            return "      - type: exec\n        name: queue-flush\n"
                    + "        start: 'touch " + flag + "'\n"
                    + "        stop: '" + flush + "rm -f " + flag + "'\n"
                    + "        status: 'test -e " + flag + " || exit 3'\n"
                    + "        timeout: 20s\n";
        });
    }

    private void awaitArrivals(String node, int atLeast) {
        Awaitility.await("part of the pass arrived on " + node).atMost(WITHIN).pollInterval(Duration.ofMillis(5))
                .until(() -> arrived(node) >= atLeast);
    }

    /** Every file on either node is whole, and every file the test wrote is whole on at least one node. */
    private void assertWholeAndNothingLost() throws IOException {
        for (String node : ClusterFixture.NODES) {
            assertThat(temporaryFiles(node)).as("no temporary file on " + node).isEmpty();
        }
        for (int i = 0; i < FILES; i++) {
            boolean somewhere = false;
            for (String node : ClusterFixture.NODES) {
                Path f = files(node).resolve("f" + i);
                if (Files.exists(f)) {
                    assertThat(Arrays.equals(Files.readAllBytes(f), content(i))).as("f" + i + " on " + node + " is whole")
                            .isTrue();
                    somewhere = true;
                }
            }
            assertThat(somewhere).as("f" + i + " survives on some node").isTrue();
        }
    }

    /**
     * The interrupted resync is finished by the next ones: the crashed owner returns, mail moves to it
     * (its pass carries everything it holds), and back home again.
     */
    private void finishWithAnotherResync(ClusterFixture c) throws Exception {
        ClusterFixture.LogMark alphaMark = c.mark(ALPHA);
        c.start(ALPHA);
        c.awaitEventAfter(alphaMark, "NodeUp", WITHIN);
        acceptedWithin(c, "failover");
        c.awaitSoleServer(MAIL, ALPHA, WITHIN);
        acceptedWithin(c, "failback");
        c.awaitSoleServer(MAIL, BETA, WITHIN);
        assertTreesExactly();
        c.assertNeverTwoOwners();
    }

    /** Runs {@code clusterd OP mail} on beta until beta accepts it (alpha may still be starting). */
    private static void acceptedWithin(ClusterFixture c, String op) {
        Awaitility.await("beta accepts " + op).atMost(WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            ClusterFixture.CliResult r = c.cli(BETA, op, MAIL);
            assertThat(r.exitCode()).as(r.toString()).isZero();
        });
    }

    /** Both trees hold exactly f0..f299 with the test's content, and nothing else but the set marker. */
    private void assertTreesExactly() throws IOException {
        TreeMap<String, Integer> expected = new TreeMap<>();
        for (int i = 0; i < FILES; i++) {
            expected.put("f" + i, i);
        }
        for (String node : ClusterFixture.NODES) {
            try (Stream<Path> s = Files.list(files(node))) {
                assertThat(s.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".clusterd-mirror")))
                        .as("files on " + node).containsExactlyInAnyOrderElementsOf(expected.keySet());
            }
            for (var e : expected.entrySet()) {
                assertThat(Arrays.equals(Files.readAllBytes(files(node).resolve(e.getKey())), content(e.getValue())))
                        .as(e.getKey() + " on " + node).isTrue();
            }
        }
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** The size of the largest temporary file in the node's set (0 if none). */
    private long largestTemporaryFile(String node) throws IOException {
        try (Stream<Path> s = Files.list(files(node))) {
            long max = 0;
            for (Path p : (Iterable<Path>) s::iterator) {
                if (p.getFileName().toString().startsWith(".clusterd-tmp-") && Files.isRegularFile(p)) {
                    max = Math.max(max, Files.size(p));
                }
            }
            return max;
        }
    }

    /**
     * A large file (written through a temporary file beside its target, not in memory) is half across
     * when the home node loses power: no part of it is in place, and the next resync brings it whole.
     */
    @org.junit.jupiter.api.Test
    void theHomeNodeLosingPowerInTheMiddleOfALargeFileKeepsNoPartOfItAndTheNextResyncBringsItWhole() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir.resolve("cluster"), mirrored("resyncCrashLargeFile"))) {
            c.startSteady();
            c.crash(BETA);
            c.awaitRunningOn(MAIL, Set.of(ALPHA), WITHIN);
            byte[] big = random(64 << 20, 1002);
            Files.createDirectories(files(ALPHA));
            Files.write(files(ALPHA).resolve("big"), big);
            c.start(BETA);
            Awaitility.await("part of big arrived on beta").atMost(WITHIN).pollInterval(Duration.ofMillis(5))
                    .until(() -> largestTemporaryFile(BETA) > 0);
            c.crash(BETA);
            Path landed = files(BETA).resolve("big");
            assertThat(!Files.exists(landed) || Arrays.equals(Files.readAllBytes(landed), big)).as("big absent or whole").isTrue();

            c.awaitSoleServer(MAIL, ALPHA, WITHIN);
            c.start(BETA);
            c.awaitSoleServer(MAIL, BETA, WITHIN);
            assertThat(temporaryFiles(BETA)).as("no temporary file left on beta").isEmpty();
            assertThat(Arrays.equals(Files.readAllBytes(landed), big)).as("big whole on beta").isTrue();
            c.assertNeverTwoOwners();
        }
    }

    /**
     * The owner loses power while the home node appends a log's new tail in place: the home node
     * cuts the log back to what it was (no half tail for the next writer to continue) before it takes
     * the group over, and keeps no lock or temporary file.
     */
    @org.junit.jupiter.api.Test
    void theOwnerLosingPowerInTheMiddleOfAnAppendLeavesTheHomeNodesCopyAsItWas() throws Exception {
        try (ClusterFixture c = ClusterFixture.create(dir.resolve("cluster"), mirrored("resyncCrashAppend"))) {
            c.startSteady();
            byte[] old = random(1 << 20, 1000);
            Files.createDirectories(files(BETA));
            Files.write(files(BETA).resolve("log"), old);
            ClusterFixture.CliResult pass = c.cli(BETA, "mirror", SET);
            assertThat(pass.exitCode()).as(pass.toString()).isZero();
            assertThat(Arrays.equals(Files.readAllBytes(files(ALPHA).resolve("log")), old)).isTrue();
            c.crash(BETA);
            c.awaitRunningOn(MAIL, Set.of(ALPHA), WITHIN);
            byte[] tail = random(48 << 20, 1001);
            Files.write(files(ALPHA).resolve("log"), tail, java.nio.file.StandardOpenOption.APPEND);

            c.start(BETA);
            Path log = files(BETA).resolve("log");
            Awaitility.await("part of the new tail appended on beta").atMost(WITHIN).pollInterval(Duration.ofMillis(5))
                    .until(() -> Files.size(log) > old.length);
            c.crash(ALPHA);
            c.awaitSoleServer(MAIL, BETA, WITHIN);

            byte[] now = Files.readAllBytes(log);
            byte[] whole = Arrays.copyOf(old, old.length + tail.length);
            System.arraycopy(tail, 0, whole, old.length, tail.length);
            assertThat(Arrays.equals(now, old) || Arrays.equals(now, whole)).as("beta's log is as it was (or whole), "
                    + now.length + " bytes").isTrue();
            assertThat(temporaryFiles(BETA)).as("no temporary file on beta").isEmpty();
            assertThat(Files.exists(c.stateDir(BETA).resolve("mirror").resolve(SET + ".append"))).as("journal cleared").isFalse();
            c.assertNeverTwoOwners();
        }
    }

    private java.util.List<String> temporaryFiles(String node) {
        try (Stream<Path> s = Files.walk(files(node))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith(".clusterd-tmp-")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
