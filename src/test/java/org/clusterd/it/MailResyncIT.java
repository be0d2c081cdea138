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
 * the home node returns, the resync before its group restarts leaves every message exactly once.
 */
class MailResyncIT {
    private static final Duration WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private Path spool(String node) {
        return dir.resolve("data").resolve(node).resolve("spool");
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
        ClusterFixture.Options options = ClusterFixture.mirrored(dir.resolve("keys"), "spool", "mbox", this::spool).name("mailResync");
        try (ClusterFixture c = ClusterFixture.create(dir.resolve("cluster"), options)) {
            c.startSteady();
            deliver(BETA, "m1");
            ClusterFixture.CliResult pass = c.cli(BETA, "mirror", "spool");
            assertThat(pass.exitCode()).as(pass.toString()).isZero();
            assertThat(messageIds(spool(ALPHA).resolve("alice"))).containsExactly("m1");

            deliver(BETA, "m2"); // delivered on the home node, never mirrored
            c.crash(BETA);
            c.awaitRunningOn(MAIL, java.util.Set.of(ALPHA), WITHIN);
            deliver(ALPHA, "m3"); // delivered on the partner during the outage

            c.start(BETA);
            c.awaitRunningOn(MAIL, java.util.Set.of(BETA), WITHIN);
            List<String> home = messageIds(spool(BETA).resolve("alice"));
            assertThat(home).as("beta's spool after the resync").containsExactlyInAnyOrder("m1", "m2", "m3");
            c.assertNeverTwoOwners();
        }
    }
}
