package org.clusterd.resource;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code /bin/sh -c COMMAND} and waits for it, with a timeout. Blocking; thread-safe; no state.
 *
 * <p>What it guarantees:
 * <ul>
 *   <li>The environment is this process's environment plus the given variables (which win).</li>
 *   <li>stdin is {@code /dev/null}. stdout and stderr go, merged, to a private temp file (mode 0600),
 *       never to a pipe: a service that the command puts in the background ({@code daemon &}) and
 *       that inherits the output cannot make this call hang. Only the last {@code outputLimit}
 *       bytes are read back; the file is deleted before returning.</li>
 *   <li>The command and its children stay in this process's process group (no {@code setsid}), so
 *       killing the daemon's process group takes them with it.</li>
 *   <li>When the command exits by itself, nothing is killed: backgrounded services keep running.</li>
 *   <li>On timeout (or interruption of the calling thread) the command and every descendant found
 *       are killed with SIGKILL and the result has {@code timedOut} (or {@link CommandResult#NO_EXIT}).</li>
 * </ul>
 * What it does not guarantee:
 * <ul>
 *   <li>A descendant forked in the instant between the descendant scan and the kill of its parent
 *       can escape the kill (Linux offers no atomic tree kill without cgroups).</li>
 *   <li>A backgrounded service that keeps writing to the inherited output writes into the deleted
 *       temp file, which holds disk space until the service exits: start scripts should redirect a
 *       long-running service's output themselves ({@code daemon >>/var/log/x 2>&1 &}).</li>
 *   <li>The temp file itself is not size-limited while the command runs; only what is read back is.</li>
 * </ul>
 */
public final class CommandRunner {
    private static final Logger log = LoggerFactory.getLogger(CommandRunner.class);

    /** Bytes of output kept by default: the last 4 KiB. */
    public static final int DEFAULT_OUTPUT_LIMIT = 4096;

    private static final long REAP_WAIT_MS = 5_000;
    private static final int KILL_ROUNDS = 3;

    private final int outputLimit;
    private final Path tempDir;

    /** Keeps the last 4 KiB of output; temp files in {@code java.io.tmpdir}. */
    public CommandRunner() {
        this(DEFAULT_OUTPUT_LIMIT, Path.of(System.getProperty("java.io.tmpdir")));
    }

    public CommandRunner(int outputLimit, Path tempDir) {
        if (outputLimit <= 0) {
            throw new IllegalArgumentException("outputLimit must be > 0: " + outputLimit);
        }
        this.outputLimit = outputLimit;
        this.tempDir = Objects.requireNonNull(tempDir, "tempDir");
    }

    /**
     * Runs {@code command} with {@code /bin/sh -c}, waiting at most {@code timeout}.
     * Never throws for a failing command; an unstartable one gives {@link CommandResult#NO_EXIT}.
     */
    public CommandResult run(String command, Map<String, String> extraEnv, Duration timeout) {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(extraEnv, "extraEnv");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive: " + timeout);
        }
        long t0 = System.nanoTime();
        Path out = null;
        Process process = null;
        try {
            out = Files.createTempFile(tempDir, "clusterd-cmd-", ".out");
            ProcessBuilder pb = new ProcessBuilder(List.of("/bin/sh", "-c", command));
            pb.environment().putAll(extraEnv);
            pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.redirectErrorStream(true);
            pb.redirectOutput(ProcessBuilder.Redirect.to(out.toFile()));
            log.debug("running [{}]", command);
            process = pb.start();
            if (process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                return finish(command, new CommandResult(process.exitValue(), false, tail(out), elapsedMs(t0)));
            }
            killTree(process);
            return finish(command, new CommandResult(CommandResult.NO_EXIT, true, tail(out), elapsedMs(t0)));
        } catch (IOException e) {
            return finish(command, new CommandResult(CommandResult.NO_EXIT, false,
                    "cannot run command: " + e.getMessage(), elapsedMs(t0)));
        } catch (InterruptedException e) {
            if (process != null) {
                killTree(process);
            }
            // read before restoring the flag: an NIO read on an interrupted thread fails
            String output = tail(out);
            Thread.currentThread().interrupt();
            return finish(command, new CommandResult(CommandResult.NO_EXIT, false,
                    "interrupted; command killed\n" + output, elapsedMs(t0)));
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException e) {
                    log.warn("cannot delete temp output file {}: {}", out, e.toString());
                }
            }
        }
    }

    private static CommandResult finish(String command, CommandResult r) {
        log.debug("[{}] -> {}", command, r.summary());
        return r;
    }

    /**
     * Kills the descendants (repeating while new ones appear), then the shell itself, and reaps it.
     * Descendants go first so that a still-living shell cannot hand them to init unseen.
     */
    private static void killTree(Process process) {
        ProcessHandle root = process.toHandle();
        for (int round = 0; round < KILL_ROUNDS; round++) {
            List<ProcessHandle> tree = root.descendants().toList();
            if (tree.isEmpty()) {
                break;
            }
            tree.forEach(ProcessHandle::destroyForcibly);
        }
        process.destroyForcibly();
        try {
            if (!process.waitFor(REAP_WAIT_MS, TimeUnit.MILLISECONDS)) {
                log.warn("pid {} did not die within {} ms of SIGKILL", root.pid(), REAP_WAIT_MS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The last {@code outputLimit} bytes of the file, decoded as UTF-8, with a note of what was dropped. */
    private String tail(Path file) {
        if (file == null) {
            return "";
        }
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            long size = ch.size();
            long start = Math.max(0, size - outputLimit);
            ch.position(start);
            ByteBuffer buf = ByteBuffer.allocate((int) Math.min(outputLimit, size));
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // fill the buffer; the file may still be growing, what we have is enough
            }
            String text = new String(buf.array(), 0, buf.position(), StandardCharsets.UTF_8);
            return start > 0 ? "[" + start + " earlier bytes dropped]\n" + text : text;
        } catch (IOException e) {
            return "[output unreadable: " + e.getMessage() + "]";
        }
    }

    private static long elapsedMs(long t0) {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    }
}
