package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.clusterd.cluster.ResyncPhase;
import org.clusterd.config.MirrorSetConfig.Policy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mail case: messages delivered on the home node just before it failed and on the partner during
 * the outage all survive a resync, each exactly once, in mbox spools and Maildirs.
 */
class MailTest {
    @TempDir
    Path tmp;
    MirrorPair pair;

    @BeforeEach
    void start() throws Exception {
        pair = new MirrorPair(tmp, List.of(MirrorPair.set("spool", Policy.MBOX), MirrorPair.set("maildir", Policy.MAILDIR)));
    }

    @AfterEach
    void stop() {
        pair.close();
    }

    static String message(String id) {
        return "From sender@example.org Thu Nov 26 10:15:00 2026\nMessage-ID: <" + id + "@example.org>\nSubject: " + id
                + "\n\nBody of " + id + "\nFrom the desk of nobody (an unescaped From in a body line)\n\n";
    }

    static void deliver(Path spool, String id) throws Exception {
        Files.createDirectories(spool.getParent());
        Files.writeString(spool, message(id), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static List<String> ids(Path spool) throws Exception {
        Matcher m = Pattern.compile("(?m)^Message-ID: <([^@]+)@").matcher(Files.readString(spool));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    private void ok(PassResult r) {
        assertThat(r.status()).as(r.reason()).isEqualTo(PassResult.Status.OK);
    }

    private void ok(ResyncResult r) {
        assertThat(r.ok()).as(r.detail()).isTrue();
    }

    @Test
    void mboxMessagesFromBothNodesSurviveTakeoverAndResyncExactlyOnce() throws Exception {
        Path a = pair.dir("alpha", "spool").resolve("alice");
        Path b = pair.dir("beta", "spool").resolve("alice");
        deliver(a, "m1");
        ok(pair.alpha.passNow("spool"));
        deliver(a, "m2-alpha-before-crash");          // never mirrored: alpha dies
        pair.own("g", "beta");                          // beta takes over
        deliver(b, "m3-beta-during-outage");
        deliver(b, "m4-beta-during-outage");

        ok(pair.beta.resync("g", ResyncPhase.BULK));    // alpha is back: data flows home
        ok(pair.beta.resync("g", ResyncPhase.FINAL));

        assertThat(ids(a)).containsExactly("m1", "m3-beta-during-outage", "m4-beta-during-outage", "m2-alpha-before-crash");
        assertThat(pair.alphaEvents).isNotNull();
        pair.own("g", "alpha");                         // failback
        deliver(a, "m5-after-failback");
        ok(pair.alpha.passNow("spool"));
        assertThat(ids(b)).containsExactly("m1", "m3-beta-during-outage", "m4-beta-during-outage", "m2-alpha-before-crash",
                "m5-after-failback");
        assertThat(Files.readString(b)).isEqualTo(Files.readString(a));
        assertThat(Trees.named(pair.dir("alpha", "spool"), ".clusterd-conflict-")).isEmpty();
    }

    @Test
    void aRewrittenSpoolIsMergedMessageByMessageKeepingDeletionsTheOwnerMade() throws Exception {
        Path a = pair.dir("alpha", "spool").resolve("bob");
        Path b = pair.dir("beta", "spool").resolve("bob");
        deliver(a, "m1");
        deliver(a, "m2");
        ok(pair.alpha.passNow("spool"));
        // alpha's IMAP server expunges m1 (rewrites the spool), then m4 arrives; beta got m3 meanwhile
        Files.writeString(a, message("m2"));
        deliver(a, "m4");
        deliver(b, "m3-on-beta");

        ok(pair.alpha.passNow("spool"));

        assertThat(ids(b)).containsExactly("m2", "m4", "m3-on-beta");
        assertThat(pair.betaEvents).anyMatch(e -> e instanceof MirrorEvent.ConflictDetected c && c.resolution().contains("message by message"));
    }

    /** A spool on alpha large enough for block sums ({@code lines} body lines per message), mirrored once. */
    private Path mirroredLargeSpool(String user, String idPrefix, int messages, int lines) throws Exception {
        Path a = pair.dir("alpha", "spool").resolve(user);
        StringBuilder spool = new StringBuilder();
        String body = "x".repeat(79) + "\n";
        for (int i = 0; i < messages; i++) {
            spool.append(message(idPrefix + i).replace("\n\nBody", "\n\n" + body.repeat(lines) + "Body"));
        }
        Files.writeString(a, spool);
        assertThat(Files.size(a)).isGreaterThan(BlockSums.MIN_SIZE);
        ok(pair.alpha.passNow("spool"));
        return a;
    }

    @Test
    void aLargeSpoolRewrittenInPlaceAndGrownIsMergedMessageByMessageNotTakenForAnAppend() throws Exception {
        Path a = mirroredLargeSpool("dave", "big-", 100, 600);
        Path b = pair.dir("beta", "spool").resolve("dave");
        // alpha's IMAP server rewrites a header in place (same length), then m-new arrives; beta got m-beta
        String text = Files.readString(a);
        int at = text.indexOf("Subject: big-50\n");
        try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(a, StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap("Subject: BIG-50".getBytes(StandardCharsets.US_ASCII)), at);
        }
        deliver(a, "m-new");
        deliver(b, "m-beta");

        ok(pair.alpha.passNow("spool"));

        String merged = Files.readString(b);
        assertThat(merged).contains("Subject: BIG-50\n").doesNotContain("Subject: big-50\n");
        assertThat(ids(b)).hasSize(102).endsWith("m-new", "m-beta");
        assertThat(pair.betaEvents).anyMatch(e -> e instanceof MirrorEvent.ConflictDetected c
                && c.resolution().contains("message by message"));
        assertThat(pair.betaEvents).noneMatch(e -> e instanceof MirrorEvent.ConflictDetected c
                && c.resolution().contains("both nodes appended"));
    }

    @Test
    void aLargeSpoolOnlyAppendedToOnBothNodesMergesAsAnAppend() throws Exception {
        Path a = mirroredLargeSpool("erin", "e-", 60, 1000);
        Path b = pair.dir("beta", "spool").resolve("erin");
        deliver(a, "m-new");
        deliver(b, "m-beta");

        ok(pair.alpha.passNow("spool"));

        assertThat(ids(b)).hasSize(62).endsWith("m-new", "m-beta");
        assertThat(pair.betaEvents).anyMatch(e -> e instanceof MirrorEvent.ConflictDetected c
                && c.resolution().contains("both nodes appended"));
    }

    /**
     * A spool whose dotlock the mail system holds is left alone, scanned again (twice), and still left:
     * the pass is OK but not complete, so the lag does not restart and a final resync pass fails
     * (the group stays where the spool is whole). Once the lock is gone the next pass takes it.
     */
    @Test
    void aSpoolLockedByTheMailSystemIsLeftForTheNextPassAndKeepsTheLagRunning() throws Exception {
        // a short session timeout keeps the lock waits (a quarter of it) short
        try (MirrorPair quick = new MirrorPair(tmp.resolve("quick"), List.of(MirrorPair.set("spool", Policy.MBOX)), 2_000)) {
            Path a = quick.dir("alpha", "spool").resolve("carol");
            Path b = quick.dir("beta", "spool").resolve("carol");
            deliver(a, "m1");
            Path dotlock = a.resolveSibling("carol.lock");
            Files.writeString(dotlock, ""); // fresh: the MTA is delivering

            PassResult held = quick.alpha.passNow("spool");

            assertThat(held.status()).isEqualTo(PassResult.Status.OK);
            assertThat(held.changedDuringPass()).isEqualTo(1);
            assertThat(held.reason()).contains("left for the next one");
            assertThat(b).doesNotExist();
            assertThat(lag(quick.alpha, "spool")).isEqualTo(-1); // never completely mirrored
            ResyncResult offline = quick.alpha.resync("g", ResyncPhase.FINAL);
            assertThat(offline.ok()).as(offline.detail()).isFalse();
            assertThat(offline.detail()).contains("spool").contains("left for the next one");
            assertThat(dotlock).exists(); // the MTA's lock is not ours to remove

            Files.delete(dotlock);
            PassResult free = quick.alpha.passNow("spool");

            assertThat(free.status()).as(free.reason()).isEqualTo(PassResult.Status.OK);
            assertThat(free.changedDuringPass()).isZero();
            assertThat(ids(b)).containsExactly("m1");
            assertThat(b.resolveSibling("carol.lock")).doesNotExist();
            assertThat(lag(quick.alpha, "spool")).isBetween(0L, 60L);
            assertThat(quick.alpha.resync("g", ResyncPhase.FINAL).ok()).isTrue();
        }
    }

    private static long lag(MirrorService service, String set) {
        return service.status().stream().filter(v -> v.name().equals(set)).findFirst().orElseThrow().lagSeconds();
    }

    @Test
    void appendMergeAndMessageMergeKeepWholeMessages() throws Exception {
        Path base = tmp.resolve("t");
        Files.writeString(base, message("a") + message("c"));
        Path tail = tmp.resolve("tail");
        Files.writeString(tail, message("b"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MboxMerge.appendMerge(base, message("a").length(), tail, out);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(message("a") + message("b") + message("c"));

        Path owner = tmp.resolve("o");
        Files.writeString(owner, message("x") + message("a"));
        out.reset();
        int added = MboxMerge.messageMerge(owner, base, 0, out);
        assertThat(added).isEqualTo(1);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(message("x") + message("a") + message("c"));
    }

    /**
     * A merge landed on the peer, then the pass failed before the last common sync moved on: the
     * next pass sees "both appended" again, with the owner's messages already in the peer's tail.
     * Merging again must give the same spool, not the owner's new messages twice.
     */
    @Test
    void anAppendMergeRepeatedAfterAFailedPassDoesNotDuplicateMessages() throws Exception {
        Path a = pair.dir("alpha", "spool").resolve("dave");
        Path b = pair.dir("beta", "spool").resolve("dave");
        deliver(a, "m1");
        ok(pair.alpha.passNow("spool"));
        Path savedAlpha = copyOfState("alpha");
        Path savedBeta = copyOfState("beta");
        deliver(a, "m2");
        deliver(b, "m3");
        ok(pair.alpha.passNow("spool"));
        assertThat(ids(b)).containsExactly("m1", "m2", "m3");

        restoreState("alpha", savedAlpha); // as if the pass had failed after landing the merge
        restoreState("beta", savedBeta);
        ok(pair.alpha.passNow("spool"));

        assertThat(ids(b)).containsExactly("m1", "m2", "m3");
        assertThat(ids(a)).containsExactly("m1", "m2");
    }

    private Path copyOfState(String node) throws Exception {
        Path from = pair.state(node).resolve("mirror");
        Path to = Files.createDirectories(tmp.resolve("saved-" + node));
        try (var files = Files.list(from)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, to.resolve(f.getFileName()));
            }
        }
        return to;
    }

    private void restoreState(String node, Path saved) throws Exception {
        Path into = pair.state(node).resolve("mirror");
        try (var files = Files.list(into)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.delete(f);
            }
        }
        try (var files = Files.list(saved)) {
            for (Path f : files.toList()) {
                Files.copy(f, into.resolve(f.getFileName()));
            }
        }
    }

    @Test
    void anAppendMergeSkipsTheOwnersMessagesAlreadyInThePeersTail() throws Exception {
        Path merged = tmp.resolve("merged");
        Files.writeString(merged, message("a") + message("b") + message("c"));
        Path tail = tmp.resolve("tail");
        Files.writeString(tail, message("b"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MboxMerge.appendMerge(merged, message("a").length(), tail, out);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(message("a") + message("b") + message("c"));
    }

    /** A mailing list's copy and the direct Cc share a Message-ID: both are kept, unless the owner has it. */
    @Test
    void aMessageMergeKeepsTwoOfThePeersMessagesWithOneMessageIdButNotOneTheOwnerHas() throws Exception {
        String listCopy = message("cc").replace("Subject: cc", "Subject: [list] cc");
        Path owner = tmp.resolve("owner");
        Files.writeString(owner, message("x"));
        Path other = tmp.resolve("other");
        Files.writeString(other, message("cc") + listCopy + message("x"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();

        int added = MboxMerge.messageMerge(owner, other, 0, out);

        assertThat(added).isEqualTo(2);
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(message("x") + message("cc") + listCopy);
    }

    @Test
    void maildirMessagesAreUnionedByUniqueNameAndFlagChangesDoNotDuplicate() throws Exception {
        Path a = pair.dir("alpha", "maildir");
        Path b = pair.dir("beta", "maildir");
        for (Path m : List.of(a, b)) {
            for (String sub : List.of("cur", "new", "tmp")) {
                Files.createDirectories(m.resolve("INBOX").resolve(sub));
            }
        }
        Files.writeString(a.resolve("INBOX/new/1001.M1.alpha"), message("m1"));
        Files.writeString(a.resolve("INBOX/dovecot-uidlist"), "3 V1 N2\n");
        Files.writeString(a.resolve("INBOX/tmp/1003.M3.alpha"), "being delivered");
        ok(pair.alpha.passNow("maildir"));
        assertThat(b.resolve("INBOX/new/1001.M1.alpha")).exists();
        assertThat(b.resolve("INBOX/dovecot-uidlist")).doesNotExist();
        assertThat(b.resolve("INBOX/tmp/1003.M3.alpha")).doesNotExist();

        // the user reads m1 on alpha: new/X -> cur/X:2,S
        Files.move(a.resolve("INBOX/new/1001.M1.alpha"), a.resolve("INBOX/cur/1001.M1.alpha:2,S"));
        ok(pair.alpha.passNow("maildir"));
        assertThat(Trees.named(b.resolve("INBOX"), "1001.M1.alpha")).containsExactly("cur/1001.M1.alpha:2,S");

        // takeover: beta delivers m2 and flags m1 differently; alpha had delivered m3 before failing
        Files.writeString(a.resolve("INBOX/tmp/1003.M3.alpha"), message("m3"));
        Files.move(a.resolve("INBOX/tmp/1003.M3.alpha"), a.resolve("INBOX/new/1003.M3.alpha")); // delivery completes
        pair.own("g", "beta");
        Files.writeString(b.resolve("INBOX/new/1002.M2.beta"), message("m2"));
        Files.move(b.resolve("INBOX/cur/1001.M1.alpha:2,S"), b.resolve("INBOX/cur/1001.M1.alpha:2,RS"));
        ok(pair.beta.resync("g", ResyncPhase.FINAL));

        assertThat(Trees.named(a.resolve("INBOX"), ".M")).containsExactlyInAnyOrder(
                "cur/1001.M1.alpha:2,RS", "new/1002.M2.beta", "new/1003.M3.alpha");
        pair.own("g", "alpha");
        ok(pair.alpha.passNow("maildir"));
        assertThat(Trees.named(b.resolve("INBOX"), ".M")).containsExactlyInAnyOrder(
                "cur/1001.M1.alpha:2,RS", "new/1002.M2.beta", "new/1003.M3.alpha");
    }

    /**
     * A mail client opening a mailbox moves every message from new/ to cur/ at once: those are renames,
     * not deletions, and must not trip the mass-deletion guard (which would stop every later pass).
     */
    @Test
    void readingAWholeMailboxIsNotAMassDeletion() throws Exception {
        Path a = pair.dir("alpha", "maildir");
        Path b = pair.dir("beta", "maildir");
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(a.resolve("INBOX").resolve(sub));
        }
        for (int i = 0; i < 60; i++) {
            Files.writeString(a.resolve("INBOX/new/" + (2000 + i) + ".M" + i + ".alpha"), message("r" + i));
        }
        ok(pair.alpha.passNow("maildir"));
        for (int i = 0; i < 60; i++) {
            String name = (2000 + i) + ".M" + i + ".alpha";
            Files.move(a.resolve("INBOX/new/" + name), a.resolve("INBOX/cur/" + name + ":2,S"));
        }

        PassResult r = pair.alpha.passNow("maildir");

        ok(r);
        assertThat(pair.alphaEvents).noneMatch(e -> e instanceof MirrorEvent.MassDeleteRefused);
        assertThat(Trees.named(b.resolve("INBOX/new"), ".M")).isEmpty();
        assertThat(Trees.named(b.resolve("INBOX/cur"), ".M")).hasSize(60).allMatch(n -> n.endsWith(":2,S"));
    }

    @Test
    void aMaildirConflictCopyNeverLandsWhereItWouldShowAsMail() throws Exception {
        Path a = pair.dir("alpha", "maildir");
        Path b = pair.dir("beta", "maildir");
        Files.createDirectories(a.resolve("INBOX/cur"));
        Files.writeString(a.resolve("INBOX/cur/9.x:2,"), message("v1"));
        ok(pair.alpha.passNow("maildir"));
        Files.writeString(a.resolve("INBOX/cur/9.x:2,"), message("v2-alpha"));
        Files.writeString(b.resolve("INBOX/cur/9.x:2,"), message("v2-beta-longer"));

        ok(pair.alpha.passNow("maildir"));

        assertThat(Trees.named(b.resolve("INBOX/cur"), ".clusterd-conflict-")).isEmpty();
        assertThat(Trees.named(b.resolve("INBOX"), ".clusterd-conflict-")).hasSize(1);
    }
}
