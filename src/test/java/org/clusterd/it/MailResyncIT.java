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
        for (String text : maildirFiles(node).values()) {
            ids.addAll(messageIds(text));
        }
        return ids;
    }

    private static String message(String id) {
        return "From sender@example.org Fri Nov 27 10:00:00 2026\nMessage-ID: <" + id + ">\nSubject: " + id
                + "\n\nbody of " + id + "\n\n";
    }

    private void deliver(String node, String id) throws Exception {
        Files.writeString(spool(node).resolve("alice"), message(id), StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
    }

    /** Each message file of the Maildir (new/ and cur/) by its path, with its content. */
    private java.util.Map<String, String> maildirFiles(String node) throws Exception {
        java.util.Map<String, String> files = new java.util.TreeMap<>();
        for (String d : List.of("new", "cur")) {
            try (java.util.stream.Stream<Path> s = Files.list(maildir(node).resolve(d))) {
                for (Path f : (Iterable<Path>) s::iterator) {
                    files.put(d + "/" + f.getFileName(), Files.readString(f));
                }
            }
        }
        return files;
    }

    private static List<String> messageIds(Path mbox) throws Exception {
        return messageIds(Files.readString(mbox));
    }

    private static List<String> messageIds(String text) {
        Matcher m = Pattern.compile("Message-ID: <([^>]+)>").matcher(text);
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
            // whole messages, each once: the common part, the owner's new one, then the home node's own
            assertThat(spool(BETA).resolve("alice")).as("beta's spool after the resync")
                    .hasContent(message("m1") + message("m3") + message("m2"));
            assertThat(maildirIds(BETA)).as("beta's Maildir after the resync").containsExactlyInAnyOrder("d1", "d2", "d3");
            assertThat(maildirFiles(BETA)).as("one file per message, the flag set during the outage kept").containsOnlyKeys(
                    "cur/" + d1 + ":2,S", "new/1795700000.d2.beta", "new/1795700000.d3.alpha");

            // beta owns mail again: its next pass gives alpha the same spool and Maildir, byte for byte
            for (String set : List.of("spool", "maildir")) {
                ClusterFixture.CliResult pass = c.cli(BETA, "mirror", set);
                assertThat(pass.exitCode()).as(pass.toString()).isZero();
            }
            assertThat(Files.readString(spool(ALPHA).resolve("alice"))).isEqualTo(Files.readString(spool(BETA).resolve("alice")));
            assertThat(maildirFiles(ALPHA)).isEqualTo(maildirFiles(BETA));
            c.assertNeverTwoOwners();
        }
    }
}
