package org.clusterd.resource;

import org.clusterd.config.ResourceConfig;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;

/** Scripts and process checks shared by the tests. */
final class TestSupport {
    private TestSupport() {}

    /**
     * A service script: {@code svc.sh start|stop|status} for the resource named by CLUSTERD_RESOURCE.
     * start backgrounds a {@code sleep 300} and writes its pid to STATE_DIR/NAME.pid; status asks
     * whether that pid runs (a zombie does not count: PID 1 here reaps orphans only about once a
     * second); stop kills it. Every call appends "VERB NAME GROUP NODE" to LOG. FAIL_START=1 makes
     * start fail, FAIL_STOP=1 makes stop fail and leave the service running.
     */
    static final String SERVICE_SCRIPT = """
            #!/bin/sh
            name=${CLUSTERD_RESOURCE:?}
            pidfile="$STATE_DIR/$name.pid"
            alive() {
                [ -f "$pidfile" ] || return 1
                pid=$(cat "$pidfile")
                [ -r "/proc/$pid/stat" ] || return 1
                read -r _ _ st _ < "/proc/$pid/stat" || return 1
                [ "$st" != Z ]
            }
            case "$1" in
            start)
                echo "start $name ${CLUSTERD_GROUP:-} ${CLUSTERD_NODE:-}" >> "$LOG"
                if [ -n "${FAIL_START:-}" ]; then echo "cannot start $name"; exit 1; fi
                sleep 300 > /dev/null 2>&1 &
                echo $! > "$pidfile"
                ;;
            stop)
                echo "stop $name" >> "$LOG"
                if [ -n "${FAIL_STOP:-}" ]; then echo "refusing to stop $name"; exit 1; fi
                if alive; then kill "$(cat "$pidfile")"; fi
                rm -f "$pidfile"
                ;;
            status)
                alive
                ;;
            esac
            """;

    static Path script(Path dir, String name, String text) throws IOException {
        Path file = dir.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /** An exec resource driving {@link #SERVICE_SCRIPT}, with extra variables (FAIL_START, FAIL_STOP). */
    static ResourceConfig.Exec service(Path dir, String name, Map<String, String> extra) throws IOException {
        Path svc = dir.resolve("svc.sh");
        if (!Files.exists(svc)) {
            script(dir, "svc.sh", SERVICE_SCRIPT);
        }
        String q = Shell.quote(svc.toString());
        Map<String, String> env = new java.util.HashMap<>(extra);
        env.put("STATE_DIR", dir.toString());
        env.put("LOG", dir.resolve("log").toString());
        return new ResourceConfig.Exec(name, q + " start", q + " stop", q + " status", env, 5_000, 10_000);
    }

    static List<String> log(Path dir) throws IOException {
        Path log = dir.resolve("log");
        return Files.exists(log) ? Files.readAllLines(log).stream().map(String::strip).toList() : List.of();
    }

    static long pid(Path pidFile) throws IOException {
        return Long.parseLong(Files.readString(pidFile).strip());
    }

    static void awaitFile(Path file) {
        await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(file) && Files.size(file) > 0);
    }

    /** True when the process exists and is not a zombie (a zombie has finished; only its exit is unread). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            int close = stat.lastIndexOf(')');
            return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) != 'Z';
        } catch (IOException e) {
            return false;
        }
    }

    static void awaitGone(long pid) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !running(pid));
    }

    /** Kills every process named in a *.pid file under dir: no test leaves a sleep 300 behind. */
    static void killPidFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".pid")).toList()) {
                try {
                    ProcessHandle.of(pid(file)).ifPresent(ProcessHandle::destroyForcibly);
                } catch (NumberFormatException | IOException e) {
                    // half-written pid file: nothing to kill
                }
            }
        }
    }
}
