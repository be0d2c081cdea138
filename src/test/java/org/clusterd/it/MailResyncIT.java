package org.clusterd.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.clusterd.it.ClusterFixture.ALPHA;
import static org.clusterd.it.ClusterFixture.BETA;
import static org.clusterd.it.ClusterFixture.MAIL;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The classic weak spot, across real daemons: mail delivered on the home node just before it loses
 * power never reached the partner, more mail is delivered on the partner during the outage, and when
 * the home node returns, the resync before its group restarts leaves every message exactly once, in
 * the mbox spool and in the Maildir alike.
 */
class MailResyncIT {
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path spool(String node) {
        return dir.resolve("data").resolve(node).resolve("spool");
    }

    private Path maildir(String node) {
        return dir.resolve("data").resolve(node).resolve("Maildir");
    }

    /** Delivery as an MDA does it: write into tmp/, then rename into new/. */
    private void deliverToMaildir(String node, String id) throws Exception {
        for (String d : List.of("tmp", "new", "cur")) {
            Files.createDirectories(maildir(node).resolve(d));
        }
        String unique = "1795700000." + id + "." + node;
        Path tmp = Files.writeString(maildir(node).resolve("tmp").resolve(unique),
                "Message-ID: <" + id + ">\nSubject: " + id + "\n\nbody of " + id + "\n", StandardCharsets.UTF_8);
        Files.move(tmp, maildir(node).resolve("new").resolve(unique), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** The Message-IDs of every message in new/ and cur/ (one per file). */
    private List<String> maildirIds(String node) throws Exception {
        java.util.ArrayList<String> ids = new java.util.ArrayList<>();
        for (String d : List.of("new", "cur")) {
            try (java.util.stream.Stream<Path> files = Files.list(maildir(node).resolve(d))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    ids.addAll(messageIds(f));
                }
            }
        }
        return ids;
    }

    private void deliver(String node, String id) throws Exception {
        String message = "From sender@example.org Fri Nov 27 10:00:00 2026\nMessage-ID: <" + id + ">\nSubject: " + id
                + "\n\nbody of " + id + "\n\n";
        Files.writeString(spool(node).resolve("alice"), message, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    private static List<String> messageIds(Path mbox) throws Exception {
        Matcher m = Pattern.compile("Message-ID: <([^>]+)>").matcher(Files.readString(mbox));
        java.util.ArrayList<String> ids = new java.util.ArrayList<>();
        while (m.find()) {
            ids.add(m.group(1));
        }
        return ids;
    }

    @Test
    void everyMessageDeliveredBeforeAndDuringTheOutageIsThereExactlyOnceAfterTheReturn() throws Exception {
        ClusterFixture.Options options = ClusterFixture.mirrored(dir.resolve("keys"), List.of(
                new ClusterFixture.MirrorSet("spool", "mbox", this::spool),
                new ClusterFixture.MirrorSet("maildir", "maildir", this::maildir))).name("mailResync");
        try (ClusterFixture c = ClusterFixture.create(dir.resolve("cluster"), options)) {
            c.startSteady();
            deliver(BETA, "m1");
            deliverToMaildir(BETA, "d1");
            for (String set : List.of("spool", "maildir")) {
                ClusterFixture.CliResult pass = c.cli(BETA, "mirror", set);
                assertThat(pass.exitCode()).as(pass.toString()).isZero();
            }
            assertThat(messageIds(spool(ALPHA).resolve("alice"))).containsExactly("m1");
            assertThat(maildirIds(ALPHA)).containsExactly("d1");

            deliver(BETA, "m2"); // delivered on the home node, never mirrored
            deliverToMaildir(BETA, "d2");
            c.crash(BETA);
            c.awaitRunningOn(MAIL, java.util.Set.of(ALPHA), WITHIN);
            deliver(ALPHA, "m3"); // delivered on the partner during the outage
            deliverToMaildir(ALPHA, "d3");
            // the partner's IMAP server marks d1 as seen: new/X becomes cur/X:2,S
            String d1 = "1795700000.d1.beta";
            Files.move(maildir(ALPHA).resolve("new").resolve(d1), maildir(ALPHA).resolve("cur").resolve(d1 + ":2,S"));

            c.start(BETA);
            c.awaitRunningOn(MAIL, java.util.Set.of(BETA), WITHIN);
            List<String> home = messageIds(spool(BETA).resolve("alice"));
            assertThat(home).as("beta's spool after the resync").containsExactlyInAnyOrder("m1", "m2", "m3");
            assertThat(maildirIds(BETA)).as("beta's Maildir after the resync").containsExactlyInAnyOrder("d1", "d2", "d3");
            assertThat(maildir(BETA).resolve("cur").resolve(d1 + ":2,S")).as("the flag set during the outage").exists();
            c.assertNeverTwoOwners();
        }
    }
}
