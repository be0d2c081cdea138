package org.clusterd.node;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.time.LocalTime;
import java.util.concurrent.TimeUnit;

import org.clusterd.config.ConfigException;
import org.clusterd.config.ConfigLoader;
import org.clusterd.control.ControlClient;
import org.clusterd.control.ControlException;
import org.clusterd.view.ClusterView;

/**
 * {@code clusterd demo}: runs the two demo nodes of {@code etc/demo/} as separate processes on
 * loopback, tells the user what runs where and how to watch and break it, and on Ctrl-C stops both
 * gracefully. Everything it writes goes to {@code demo-run/} next to {@code etc/}.
 */
public final class DemoLauncher {
    private static final List<String> NODES = List.of("alpha", "beta");

    private final Path home;
    private final Path jar;
    private final PrintStream out;
    private final List<Process> nodes = new ArrayList<>();

    public DemoLauncher(Path home, Path jar, PrintStream out) {
        this.home = home;
        this.jar = jar;
        this.out = out;
    }

    /**
     * The project directory: the nearest ancestor of the jar as it was named on the command line
     * ({@code target/clusterd.jar}) that holds {@code etc/demo}, else the working directory.
     */
    public static Path findHome() {
        for (Path p = ownJar().toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve("etc/demo"))) {
                return p;
            }
        }
        return Path.of("").toAbsolutePath();
    }

    /** The jar this JVM runs, as named on the command line (a symbolic link stays a link). */
    public static Path ownJar() {
        String classPath = System.getProperty("java.class.path", "");
        if (classPath.endsWith(".jar") && !classPath.contains(java.io.File.pathSeparator)) {
            return Path.of(classPath).toAbsolutePath();
        }
        try {
            return Path.of(DemoLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Starts both nodes and waits until they have stopped (Ctrl-C stops them gracefully). */
    public int run() throws IOException, InterruptedException {
        Path run = home.resolve("demo-run");
        Files.createDirectories(run);
        Path key = run.resolve("cluster.key");
        if (!Files.exists(key)) {
            byte[] bytes = new byte[32];
            new SecureRandom().nextBytes(bytes);
            AtomicFiles.write(key, bytes);
        }
        if (!Files.exists(run.resolve("keys/mirror.pass"))) {
            org.clusterd.mirror.MirrorKeys.generate(run.resolve("keys"), NODES);
        }
        seedData(run);
        Path community = run.resolve("snmp.community");
        if (!Files.exists(community)) {
            AtomicFiles.write(community, "public\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "clusterd-demo-stop"));
        for (String n : NODES) {
            ProcessBuilder pb = new ProcessBuilder(javaExecutable(), "-Xmx96m", "-jar", jar.toString(), "run",
                    "--config", home.resolve("etc/demo/" + n + ".yaml").toString());
            pb.redirectErrorStream(true).redirectOutput(run.resolve(n + ".log").toFile());
            pb.environment().put("CLUSTERD_JAR", jar.toString());
            nodes.add(pb.start());
        }
        describe(run);
        Thread watcher = new Thread(this::watch, "clusterd-demo-watch");
        watcher.setDaemon(true);
        watcher.start();
        for (Process p : nodes) {
            p.waitFor();
        }
        reportStopped();
        return 0;
    }

    private final java.util.concurrent.atomic.AtomicBoolean reported = new java.util.concurrent.atomic.AtomicBoolean();

    /**
     * Says once that both nodes are down. The shutdown hook says it too: after Ctrl-C or SIGTERM the
     * JVM halts when the hook returns, which can be before the main thread, woken by the same exits,
     * gets to say it.
     */
    private void reportStopped() {
        if (reported.compareAndSet(false, true)) {
            out.println("both demo nodes have stopped");
            out.flush();
        }
    }

    private void describe(Path run) {
        String cli = "java -jar " + home.relativize(jar);
        out.println("clusterd demo: two nodes on 127.0.0.1, logs and state in " + run);
        out.println("  alpha  pid " + nodes.get(0).pid() + "  home of group 'web'  (service on 127.0.0.1:7301)");
        out.println("  beta   pid " + nodes.get(1).pid() + "  home of group 'mail' (service on 127.0.0.1:7302)");
        out.println();
        out.println("Watch it:");
        out.println("  " + cli + " status --config etc/demo/alpha.yaml          (add --json for the API document)");
        out.println("  bash -c 'cat </dev/tcp/127.0.0.1/7301'          which node serves 'web' now");
        out.println("  tail -f demo-run/alpha.log demo-run/journal.log");
        out.println("  snmpwalk -v2c -c public -m CLUSTERD-MIB -M +mibs 127.0.0.1:7161 clusterdMIB");
        out.println("  snmptrapd -f -Lo -m CLUSTERD-MIB -M +mibs -C -c etc/demo/snmptrapd.conf udp:127.0.0.1:7162   (traps)");
        out.println("Break it:");
        out.println("  kill -9 " + nodes.get(0).pid() + "                                   crash alpha: beta takes 'web' over after 3 s");
        out.println("  " + cli + " failover web --config etc/demo/alpha.yaml    move 'web' to beta now");
        out.println("  " + cli + " standby --config etc/demo/beta.yaml          beta hands everything over and stays out");
        out.println("  " + cli + " join --config etc/demo/beta.yaml             ...and comes back");
        out.println("Restart a killed node by hand:  " + cli + " run --config etc/demo/alpha.yaml");
        out.println("Ctrl-C stops both nodes gracefully.");
        out.flush();
    }

    /** Each node's mirrored directories; the home nodes start with a little data of their own. */
    private static void seedData(Path run) throws IOException {
        for (String n : NODES) {
            for (String d : List.of("www", "mail/spool", "mail/Maildir/cur", "mail/Maildir/new", "mail/Maildir/tmp")) {
                Files.createDirectories(run.resolve(n).resolve(d));
            }
        }
        Path index = run.resolve("alpha/www/index.html");
        if (!Files.exists(index)) {
            Files.writeString(index, "<h1>served by the web group</h1>\n");
        }
        Path spool = run.resolve("beta/mail/spool/alice");
        if (!Files.exists(spool)) {
            Files.writeString(spool, "From bob@example.org Fri Nov 27 10:00:00 2026\nSubject: hello\n\nfirst message\n\n");
            Files.writeString(run.resolve("beta/mail/Maildir/new/1764237600.M1P1.beta"), "Subject: hi\n\nin the Maildir\n");
        }
    }

    /** Prints a line whenever what runs where changes, as both nodes report it. */
    private void watch() {
        List<ControlClient> clients = new ArrayList<>();
        for (String n : NODES) {
            try {
                clients.add(new ControlClient(ConfigLoader.load(home.resolve("etc/demo/" + n + ".yaml")).control()));
            } catch (ConfigException e) {
                out.println("cannot watch " + n + ": " + e.getMessage());
                return;
            }
        }
        String last = "";
        while (nodes.stream().anyMatch(Process::isAlive)) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < NODES.size(); i++) {
                String node = NODES.get(i);
                line.append(i == 0 ? "" : "   ").append(node).append(": ");
                try {
                    ClusterView v = clients.get(i).status();
                    line.append(v.state());
                    v.groups().stream().filter(g -> node.equals(g.owner()))
                            .forEach(g -> line.append(" runs ").append(g.name()));
                } catch (ControlException e) {
                    line.append("not answering");
                }
            }
            if (!line.toString().equals(last)) {
                last = line.toString();
                out.println(LocalTime.now().withNano(0) + "  " + last);
                out.flush();
            }
            try {
                Thread.sleep(500); // the demo's own display cadence, not a wait for a condition
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void stopAll() {
        for (Process p : nodes) {
            p.destroy(); // SIGTERM: graceful handover
        }
        for (Process p : nodes) {
            try {
                if (!p.waitFor(Duration.ofSeconds(60).toMillis(), TimeUnit.MILLISECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        reportStopped();
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
