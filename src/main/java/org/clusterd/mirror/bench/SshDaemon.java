package org.clusterd.mirror.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An OpenSSH server of the benchmark's own on loopback (own host key, own client key, no PAM), so
 * rsync can also be timed over ssh: between two servers rsync's data is encrypted that way, as ours
 * is by TLS. Both sides use AES-128-GCM, the cipher our mirror connection prefers, so the two pay for
 * the same encryption.
 */
final class SshDaemon implements AutoCloseable {
    static final String CIPHER = "aes128-gcm@openssh.com";
    private static final Path SSHD = Path.of("/usr/sbin/sshd");

    private final Process process;
    private final int port;
    private final Path clientKey;

    private SshDaemon(Process process, int port, Path clientKey) {
        this.process = process;
        this.port = port;
        this.clientKey = clientKey;
    }

    /** Starts one in {@code dir}, or returns null (with a note) where this machine cannot run it. */
    static SshDaemon start(Path dir) throws IOException, InterruptedException {
        if (!Files.isExecutable(SSHD)) {
            System.out.println("note: no " + SSHD + ", so rsync over ssh is not timed (apt-get install openssh-server)");
            return null;
        }
        Files.createDirectories(dir);
        // sshd refuses to start without its privilege separation directory
        Files.createDirectories(Path.of("/run/sshd"));
        Path hostKey = dir.resolve("host_ed25519");
        Path clientKey = dir.resolve("client_ed25519");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", hostKey.toString());
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", clientKey.toString());
        Path authorized = dir.resolve("authorized_keys");
        Files.copy(clientKey.resolveSibling(clientKey.getFileName() + ".pub"), authorized);
        int port = Loopback.freePort();
        Path conf = dir.resolve("sshd_config");
        Files.writeString(conf, String.join("\n",
                "Port " + port,
                "ListenAddress 127.0.0.1",
                "HostKey " + hostKey,
                "AuthorizedKeysFile " + authorized,
                "PermitRootLogin prohibit-password",
                "PasswordAuthentication no",
                "KbdInteractiveAuthentication no",
                "UsePAM no",
                // the benchmark's directory sits under the world-writable /var/tmp
                "StrictModes no",
                "PidFile " + dir.resolve("sshd.pid"),
                "Ciphers " + CIPHER,
                ""));
        Process p = new ProcessBuilder(SSHD.toString(), "-D", "-e", "-f", conf.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("sshd.log").toFile()).start();
        SshDaemon d = new SshDaemon(p, port, clientKey);
        if (Loopback.awaitListening(p, port)) {
            return d;
        }
        d.close();
        System.out.println("note: sshd did not start (see " + dir.resolve("sshd.log") + "), so rsync over ssh is not timed");
        return null;
    }

    /** The remote shell for rsync's {@code -e}. */
    String command() {
        return String.join(" ", List.of("ssh", "-p", String.valueOf(port), "-i", clientKey.toString(), "-c", CIPHER,
                "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
                "-o", "LogLevel=ERROR", "-o", "Compression=no", "-x", "-T"));
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }
}
