package org.clusterd.mirror;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mail system's locks on a spool, checked against another process that locks as mail programs
 * do (fcntl, through the JDK's FileChannel lock in a second JVM) and against dotlocks.
 */
class MboxLockTest {
    @TempDir
    Path tmp;
    Path spool;
    Path probe;

    @BeforeEach
    void setUp() throws IOException {
        spool = tmp.resolve("alice");
        Files.writeString(spool, "From a@x Thu Nov 26 10:00:00 2026\n\nbody\n\n");
        probe = tmp.resolve("LockProbe.java");
        Files.writeString(probe, """
                import java.nio.channels.FileChannel;
                import java.nio.channels.FileLock;
                import java.nio.file.Path;
                import java.nio.file.StandardOpenOption;

                public class LockProbe {
                    public static void main(String[] a) throws Exception {
                        try (FileChannel c = FileChannel.open(Path.of(a[1]), StandardOpenOption.WRITE)) {
                            FileLock l = c.tryLock();
                            System.out.println(l == null ? "held" : "free");
                            System.out.flush();
                            if (a[0].equals("hold") && l != null) {
                                System.in.read(); // until the test closes our input
                            }
                        }
                    }
                }
                """);
    }

    private Process probe(String mode) throws IOException {
        String java = ProcessHandle.current().info().command().orElse("java");
        return new ProcessBuilder(java, probe.toString(), mode, spool.toString()).redirectErrorStream(true).start();
    }

    /** What another process finds when it tries the spool's fcntl lock. */
    private String otherProcessFinds() throws Exception {
        Process p = probe("probe");
        try {
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return line;
        } finally {
            p.destroyForcibly();
        }
    }

    @Test
    void theFcntlLockHoldsAgainstMailProgramsEvenWhenThisProcessClosesAnotherDescriptorOfTheSpool() throws Exception {
        assertThat(LibC.available()).as("open file description locks are used on this machine").isTrue();
        try (MboxLock lock = MboxLock.acquire(spool, 1_000)) {
            assertThat(spool.resolveSibling("alice.lock")).exists();
            assertThat(otherProcessFinds()).isEqualTo("held");
            // merging reads the spool through descriptors of its own: closing one dropped the JDK's lock
            try (FileChannel c = FileChannel.open(spool, StandardOpenOption.READ)) {
                assertThat(c.size()).isPositive();
            }
            assertThat(otherProcessFinds()).isEqualTo("held");
        }
        assertThat(spool.resolveSibling("alice.lock")).doesNotExist();
        assertThat(otherProcessFinds()).isEqualTo("free");
    }

    @Test
    void aSpoolAnotherProcessHoldsIsNotTakenAndItsDotlockIsLeftAsItWas() throws Exception {
        Process holder = probe("hold");
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("free"); // and now it holds the lock

            assertThatThrownBy(() -> MboxLock.acquire(spool, 300)).isInstanceOf(IOException.class)
                    .hasMessageContaining("locked (fcntl)");
            assertThat(spool.resolveSibling("alice.lock")).doesNotExist(); // ours, removed on the way out

            holder.getOutputStream().close();
            assertThat(holder.waitFor(60, TimeUnit.SECONDS)).isTrue();
            try (MboxLock lock = MboxLock.acquire(spool, 1_000)) {
                assertThat(lock).isNotNull();
            }
        } finally {
            holder.destroyForcibly();
        }
    }

    @Test
    void aFreshDotlockIsWaitedForAndAStaleOneRemoved() throws Exception {
        Path dotlock = spool.resolveSibling("alice.lock");
        Files.writeString(dotlock, "");
        assertThatThrownBy(() -> MboxLock.acquire(spool, 200)).isInstanceOf(IOException.class)
                .hasMessageContaining("locked by the mail system");
        assertThat(dotlock).exists(); // the mail program's, not ours to remove

        Files.setLastModifiedTime(dotlock, FileTime.from(Instant.now().minusSeconds(MboxLock.STALE_SECONDS + 60)));
        try (MboxLock lock = MboxLock.acquire(spool, 200)) {
            assertThat(dotlock).exists(); // now ours
        }
        assertThat(dotlock).doesNotExist();
    }
}
