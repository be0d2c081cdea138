package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.clusterd.config.MirrorSetConfig.Policy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input on beta's mirror port: no or wrong certificate, garbage, oversized frames, paths
 * that try to leave the set. Each is refused and counted, and nothing is written outside the set.
 */
class HostilePeerTest {
    @TempDir
    Path tmp;
    MirrorPair pair;
    Path b;
    Path outside;

    @BeforeEach
    void start() throws Exception {
        pair = new MirrorPair(tmp, List.of(MirrorPair.set("docs", Policy.COPY), MirrorPair.set("spool", Policy.MBOX)), 5_000);
        b = pair.dir("beta", "docs");
        outside = Files.createDirectories(tmp.resolve("outside"));
    }

    @AfterEach
    void stop() {
        pair.close();
    }

    private InetSocketAddress beta() {
        return pair.beta.listenAddress();
    }

    /** A TLS client with alpha's real key: a peer that passes authentication and then misbehaves. */
    private SSLSocket asAlpha() throws IOException {
        Path k = MirrorPair.keys();
        SSLContext ctx = MirrorTls.context(k.resolve("mirror-alpha.p12"), k.resolve("mirror-trust.p12"), k.resolve("mirror.pass"));
        return MirrorTls.connect(ctx, beta(), 5_000);
    }

    /** Says HELLO as alpha and reads beta's scan; returns the streams for the attack. */
    private DataInputStream hello(SSLSocket s) throws IOException {
        return hello(s, "docs");
    }

    private DataInputStream hello(SSLSocket s, String set) throws IOException {
        OutputStream out = s.getOutputStream();
        Frames.write(out, Frames.HELLO, Frames.payload(o -> {
            o.writeInt(Receiver.PROTOCOL);
            o.writeUTF("test");
            o.writeUTF("alpha");
            o.writeUTF(set);
            o.writeUTF("g");
        }));
        out.flush();
        DataInputStream in = new DataInputStream(new BufferedInputStream(s.getInputStream()));
        assertThat(Frames.read(in, Frames.MAX_PAYLOAD).type()).isEqualTo(Frames.HELLO_OK);
        for (Frames.Frame f = Frames.read(in, Frames.MAX_PAYLOAD); f.type() != Frames.SCAN_END;
             f = Frames.read(in, Frames.MAX_PAYLOAD)) {
            assertThat(f.type()).isEqualTo(Frames.SCAN_ENTRIES);
        }
        return in;
    }

    /** Sends an OP_FILE for {@code path} with some data; returns the answer frame (null if the connection was closed). */
    private Frames.Frame putFile(SSLSocket s, DataInputStream in, FileEntry e) throws IOException {
        return putFile(s, in, e, "pwned".getBytes());
    }

    /** Announces {@code e} as a whole file and sends {@code data} for it, in frames of at most 256 KiB. */
    private Frames.Frame putFile(SSLSocket s, DataInputStream in, FileEntry e, byte[] data) throws IOException {
        OutputStream out = s.getOutputStream();
        try {
            Frames.write(out, Frames.OP_FILE, Frames.payload(o -> {
                o.writeBoolean(true);
                EntryCodec.write(o, e);
                o.writeBoolean(false);
                o.writeByte(Action.Transfer.FULL.ordinal());
                o.writeByte(Action.Displace.TRASH.ordinal());
                o.writeInt(0);
                o.writeInt(0);
            }));
            for (int off = 0; off < data.length; off += 256 << 10) {
                Frames.write(out, Frames.DATA, data, off, Math.min(256 << 10, data.length - off));
            }
            Frames.write(out, Frames.END, Frames.payload(o -> o.writeUTF(Hashing.of(data))));
            out.flush();
        } catch (IOException closed) {
            // the node refused at the operation and closed before the data was written: that is its answer
        }
        try {
            Frames.Frame f = Frames.read(in, Frames.MAX_PAYLOAD);
            while (f != null && f.type() != Frames.ERROR && f.type() != Frames.RESULT) {
                f = Frames.read(in, Frames.MAX_PAYLOAD);
            }
            return f;
        } catch (IOException ex) {
            return null;
        }
    }

    private void assertNothingOutside() throws IOException {
        try (var s = Files.list(outside)) {
            assertThat(s.count()).isZero();
        }
        assertThat(Files.exists(tmp.resolve("pwned"))).isFalse();
        assertThat(Files.exists(Path.of("/tmp/pwned"))).isFalse();
    }

    @Test
    void aClientWithoutACertificateIsRefusedInTheHandshake() throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        Path k = MirrorPair.keys();
        try (InputStream in = Files.newInputStream(k.resolve("mirror-trust.p12"))) {
            trust.load(in, MirrorTls.password(k.resolve("mirror.pass")));
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext noCert = SSLContext.getInstance("TLSv1.3");
        noCert.init(null, tmf.getTrustManagers(), null);

        assertThatThrownBy(() -> {
            try (SSLSocket s = MirrorTls.connect(noCert, beta(), 5_000)) {
                s.getOutputStream().write(1);
                s.getOutputStream().flush();
                s.getInputStream().read();
            }
        }).isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> pair.beta.counters().tlsRefused.get() >= 1);
        assertThat(pair.betaEvents).anyMatch(e -> e instanceof MirrorEvent.PeerRefused);
    }

    @Test
    void aClientWithAnotherClustersCertificateIsRefused() throws Exception {
        Path other = Files.createDirectories(tmp.resolve("other-keys"));
        MirrorKeys.generate(other, List.of("mallory"));
        SSLContext ctx = MirrorTls.context(other.resolve("mirror-mallory.p12"), other.resolve("mirror-trust.p12"),
                other.resolve("mirror.pass"));
        assertThatThrownBy(() -> {
            try (SSLSocket s = MirrorTls.connect(ctx, beta(), 5_000)) {
                s.getInputStream().read();
            }
        }).isInstanceOf(IOException.class);
        await().atMost(Duration.ofSeconds(10)).until(() -> pair.beta.counters().tlsRefused.get() >= 1);
    }

    @Test
    void plainTcpGarbageIsRefused() throws Exception {
        try (Socket s = new Socket()) {
            s.connect(beta(), 5_000);
            byte[] junk = new byte[4096];
            new Random(7).nextBytes(junk);
            s.getOutputStream().write(junk);
            s.getOutputStream().flush();
            s.setSoTimeout(10_000);
            try {
                while (s.getInputStream().read() >= 0) {
                    // until closed
                }
            } catch (IOException e) {
                // reset: fine
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> pair.beta.counters().tlsRefused.get() >= 1);
    }

    @Test
    void garbageFramesAfterAuthenticationAreRefusedAndCounted() throws Exception {
        try (SSLSocket s = asAlpha()) {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0, 0, 0, 2, 99, 1, 2});
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            Frames.Frame f = Frames.read(in, Frames.MAX_PAYLOAD);
            assertThat(f.type()).isEqualTo(Frames.ERROR);
        }
        assertThat(pair.beta.counters().badFrames.get()).isEqualTo(1);
    }

    @Test
    void anOversizedFrameIsRefused() throws Exception {
        try (SSLSocket s = asAlpha()) {
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0x7f, 0, 0, 0, Frames.HELLO});
            out.flush();
            Frames.Frame f = Frames.read(new DataInputStream(s.getInputStream()), Frames.MAX_PAYLOAD);
            assertThat(f.type()).isEqualTo(Frames.ERROR);
            assertThat(f.in().readUTF()).contains("exceeds");
        }
        assertThat(pair.beta.counters().badFrames.get()).isEqualTo(1);
    }

    @Test
    void aHelloFromTheWrongNodeOrForAnUnknownSetIsRefused() throws Exception {
        try (SSLSocket s = asAlpha()) {
            Frames.write(s.getOutputStream(), Frames.HELLO, Frames.payload(o -> {
                o.writeInt(Receiver.PROTOCOL);
                o.writeUTF("test");
                o.writeUTF("mallory");
                o.writeUTF("docs");
                o.writeUTF("g");
            }));
            s.getOutputStream().flush();
            Frames.Frame f = Frames.read(new DataInputStream(s.getInputStream()), Frames.MAX_PAYLOAD);
            assertThat(f.type()).isEqualTo(Frames.ERROR);
            assertThat(f.in().readUTF()).contains("not this node's peer");
        }
        assertThat(pair.beta.counters().sessionsRefused.get()).isEqualTo(1);
    }

    @Test
    void pathsLeavingTheSetAreRefusedAndNothingIsWrittenOutside() throws Exception {
        Files.createSymbolicLink(b.resolve("escape"), outside);
        String[] attacks = {"../pwned", "../../pwned", "/tmp/pwned", "a/../../pwned", "escape/pwned", "./x"};
        for (String path : attacks) {
            try (SSLSocket s = asAlpha()) {
                DataInputStream in = hello(s);
                Frames.Frame answer = putFile(s, in, FileEntry.file(path, 5, 1_000_000_000L, 0644, null));
                assertThat(answer == null || answer.type() == Frames.ERROR).as(path).isTrue();
            }
        }
        assertThat(pair.beta.counters().badPaths.get()).isEqualTo(attacks.length);
        assertNothingOutside();
    }

    /**
     * A whole file is not hashed again on arrival (TLS authenticates its bytes), so its size is the
     * check: a peer that announces one size and sends another, with the right hash of what it sent,
     * gets the file failed, and nothing lands.
     */
    @Test
    void aWholeFileOfAnotherSizeThanAnnouncedIsNotLanded() throws Exception {
        for (long announced : new long[] {9, 3}) {
            try (SSLSocket s = asAlpha()) {
                DataInputStream in = hello(s);
                Frames.Frame answer = putFile(s, in, FileEntry.file("short-" + announced, announced, 1_000_000_000L, 0644, null));
                assertThat(answer).isNotNull();
                assertThat(answer.type()).isEqualTo(Frames.RESULT);
                DataInputStream r = answer.in();
                assertThat(Receiver.Status.values()[r.readUnsignedByte()]).isEqualTo(Receiver.Status.FAILED);
                assertThat(r.readUTF()).as("reason").contains("5 bytes of a file of " + announced);
            }
            assertThat(b.resolve("short-" + announced)).doesNotExist();
        }
    }

    /**
     * A peer that announces a file and then sends more than its size: a small file keeps no more in
     * memory than announced, a large one writes no more to disk, and either fails without landing.
     */
    @Test
    void moreDataThanAnnouncedIsNeitherKeptNorWrittenAndTheFileFails() throws Exception {
        // announced, sent: a small file (kept in memory until it lands), then a large one (written as it comes)
        long[][] cases = {{10, 3 << 20}, {2 << 20, 5 << 20}};
        for (long[] c : cases) {
            String name = "long-" + c[0];
            try (SSLSocket s = asAlpha()) {
                DataInputStream in = hello(s);
                Frames.Frame answer = putFile(s, in, FileEntry.file(name, c[0], 1_000_000_000L, 0644, null), new byte[(int) c[1]]);
                assertThat(answer).as(name).isNotNull();
                assertThat(answer.type()).isEqualTo(Frames.RESULT);
                DataInputStream r = answer.in();
                assertThat(Receiver.Status.values()[r.readUnsignedByte()]).isEqualTo(Receiver.Status.FAILED);
                // the small one counted every byte it dropped; the large one stopped writing at the size
                assertThat(r.readUTF()).as("reason").contains(c[0] < Receiver.SMALL_FILE
                        ? "received " + c[1] + " bytes of a file of " + c[0]
                        : "received more than the " + c[0] + " bytes announced");
            }
            assertThat(b.resolve(name)).doesNotExist();
        }
        assertThat(Trees.named(b, Excludes.TEMP_PREFIX)).as("no temporary file left").isEmpty();
    }

    /**
     * A local user on the receiving node swaps a checked directory for a symlink out of the set
     * between two operations in it (here the signature of a delta and the delta itself, which reuse
     * the directory checked for the first): what lands goes into the directory that was checked,
     * never through the link.
     */
    @Test
    void aDirectorySwappedForASymlinkAfterItWasCheckedIsNotWrittenThrough() throws Exception {
        Path dir = Files.createDirectories(b.resolve("a/b"));
        Files.writeString(dir.resolve("report.doc"), "old content");
        FileEntry t = FileStat.stat(dir.resolve("report.doc"), "a/b/report.doc");
        byte[] now = "new content".getBytes();
        try (SSLSocket s = asAlpha()) {
            DataInputStream in = hello(s);
            OutputStream out = s.getOutputStream();
            Frames.write(out, Frames.SIG_REQUEST, Frames.payload(o -> Frames.writeEntry(o, t)));
            out.flush();
            assertThat(Frames.read(in, Frames.MAX_PAYLOAD).type()).isEqualTo(Frames.SIGNATURE);

            Files.move(dir, b.resolve("a/b.moved"));
            Files.createSymbolicLink(dir, outside);
            Files.writeString(outside.resolve("report.doc"), "old content"); // what the link leads to looks the same
            Files.setLastModifiedTime(outside.resolve("report.doc"), Files.getLastModifiedTime(b.resolve("a/b.moved/report.doc")));

            Frames.write(out, Frames.OP_FILE, Frames.payload(o -> {
                Frames.writeEntry(o, FileEntry.file("a/b/report.doc", now.length, t.mtimeNs() + 1_000_000_000L, 0644, null));
                Frames.writeEntry(o, t);
                o.writeByte(Action.Transfer.DELTA.ordinal());
                o.writeByte(Action.Displace.TRASH.ordinal());
                o.writeInt(MirrorEngine.blockSize(t.size()));
                o.writeInt(0);
            }));
            Frames.write(out, Frames.DATA, Frames.payload(o -> {
                o.writeByte(2); // a literal: the whole new content
                o.writeInt(now.length);
                o.write(now);
            }));
            Frames.write(out, Frames.END, Frames.payload(o -> o.writeUTF(Hashing.of(now))));
            Frames.write(out, Frames.FINISH, new byte[0]);
            out.flush();
            Frames.Frame f = Frames.read(in, Frames.MAX_PAYLOAD);
            while (f != null && f.type() != Frames.FINISHED && f.type() != Frames.ERROR) {
                f = Frames.read(in, Frames.MAX_PAYLOAD);
            }
            assertThat(f).isNotNull();
        }
        assertThat(outside.resolve("report.doc")).hasContent("old content");
        try (var left = Files.list(outside)) {
            assertThat(left.toList()).containsExactly(outside.resolve("report.doc"));
        }
        assertThat(b.resolve("a/b.moved/report.doc")).hasContent("new content");
    }

    @Test
    void aSymlinkLeadingOutOfTheSetIsNotCreated() throws Exception {
        try (SSLSocket s = asAlpha()) {
            DataInputStream in = hello(s);
            Frames.write(s.getOutputStream(), Frames.OP_SYMLINK, Frames.payload(o -> {
                Frames.writeEntry(o, FileEntry.symlink("link", "../../../etc"));
                Frames.writeEntry(o, null);
                o.writeByte(0);
            }));
            s.getOutputStream().flush();
            Frames.Frame f = Frames.read(in, Frames.MAX_PAYLOAD);
            assertThat(f.type()).isEqualTo(Frames.ERROR);
        }
        assertThat(Files.exists(b.resolve("link"), java.nio.file.LinkOption.NOFOLLOW_LINKS)).isFalse();
        assertThat(pair.beta.counters().badPaths.get()).isEqualTo(1);
    }

    @Test
    void aLegitimatePeerStillWorksAfterTheAttacks() throws Exception {
        pathsLeavingTheSetAreRefusedAndNothingIsWrittenOutside();
        Files.writeString(pair.dir("alpha", "docs").resolve("fine.txt"), "fine");
        PassResult r = pair.alpha.passNow("docs");
        assertThat(r.status()).as(r.reason()).isEqualTo(PassResult.Status.OK);
        assertThat(b.resolve("fine.txt")).hasContent("fine");
    }

    @Test
    void aDeltaWithAHugeBlockSizeIsRefusedBeforeAnyAllocation() throws Exception {
        Files.writeString(b.resolve("old.bin"), "old content");
        FileEntry t = FileStat.stat(b.resolve("old.bin"), "old.bin");
        try (SSLSocket s = asAlpha()) {
            DataInputStream in = hello(s);
            Frames.write(s.getOutputStream(), Frames.OP_FILE, Frames.payload(o -> {
                Frames.writeEntry(o, FileEntry.file("old.bin", 5, 1_000_000_000L, 0644, null));
                Frames.writeEntry(o, t);
                o.writeByte(Action.Transfer.DELTA.ordinal());
                o.writeByte(Action.Displace.TRASH.ordinal());
                o.writeInt(Integer.MAX_VALUE);
                o.writeInt(0);
            }));
            s.getOutputStream().flush();
            assertThat(Frames.read(in, Frames.MAX_PAYLOAD).type()).isEqualTo(Frames.ERROR);
        }
        assertThat(pair.beta.counters().badFrames.get()).isEqualTo(1);
        assertThat(b.resolve("old.bin")).hasContent("old content");
    }

    /**
     * The owner vanishes in the middle of an append (kill -9, a cable): the peer must not keep half a
     * message at the end of the spool, where the next delivery after a takeover would fuse with it,
     * nor keep the spool's locks, which would block that delivery.
     */
    @Test
    void aConnectionDroppedInTheMiddleOfAnAppendLeavesTheSpoolAsItWasAndUnlocked() throws Exception {
        Path spool = pair.dir("beta", "spool").resolve("alice");
        String before = "From a@x Thu Nov 26 10:00:00 2026\nSubject: one\n\nbody\n\n";
        Files.writeString(spool, before);
        FileEntry t = FileStat.stat(spool, "alice");
        String tail = "From b@x Thu Nov 26 10:05:00 2026\nSubject: two\n\nbo";
        try (SSLSocket s = asAlpha()) {
            DataInputStream in = hello(s, "spool");
            OutputStream out = s.getOutputStream();
            Frames.write(out, Frames.OP_FILE, Frames.payload(o -> {
                Frames.writeEntry(o, FileEntry.file("alice", before.length() + 200L, t.mtimeNs() + 1, 0600, null));
                Frames.writeEntry(o, t);
                o.writeByte(Action.Transfer.APPEND.ordinal());
                o.writeByte(Action.Displace.TRASH.ordinal());
                o.writeInt(0);
                o.writeInt(0);
            }));
            Frames.write(out, Frames.DATA, tail.getBytes());
            out.flush();
            Path journal = pair.state("beta").resolve("mirror/spool.append");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.size(spool) > before.length());
            assertThat(journal).exists();
            assertThat(Files.exists(spool.resolveSibling("alice.lock"))).isTrue();
        } // the connection drops here, in the middle of the file

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(spool).hasContent(before);
            assertThat(pair.state("beta").resolve("mirror/spool.append")).doesNotExist();
            assertThat(spool.resolveSibling("alice.lock")).doesNotExist();
        });
        assertThat(Files.getLastModifiedTime(spool).to(java.util.concurrent.TimeUnit.NANOSECONDS)).isEqualTo(t.mtimeNs());
        try (MboxLock lock = MboxLock.acquire(spool, 1_000)) { // the fcntl lock is free again in this JVM too
            assertThat(lock).isNotNull();
        }
    }

    /** A node that stopped during an append cuts the file back when it starts, before it could serve it. */
    @Test
    void anAppendInterruptedByAStopIsUndoneWhenTheServiceStarts() throws Exception {
        Path spool = pair.dir("beta", "spool").resolve("bob");
        Files.writeString(spool, "From a@x Thu Nov 26 10:00:00 2026\n\nbody\n\n");
        FileEntry t = FileStat.stat(spool, "bob");
        pair.close();
        new AppendJournal(pair.state("beta").resolve("mirror"), "spool", spool.getParent()).begin(t);
        Files.writeString(spool, "From b@x Thu Nov 26 10:05:00 2026\n\nhal", java.nio.file.StandardOpenOption.APPEND);

        pair = new MirrorPair(tmp, List.of(MirrorPair.set("docs", Policy.COPY), MirrorPair.set("spool", Policy.MBOX)), 5_000);

        assertThat(spool).hasContent("From a@x Thu Nov 26 10:00:00 2026\n\nbody\n\n");
        assertThat(pair.state("beta").resolve("mirror/spool.append")).doesNotExist();
    }
}
