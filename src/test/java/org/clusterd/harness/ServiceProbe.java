package org.clusterd.harness;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Asks a {@link org.clusterd.demo.DemoService} on 127.0.0.1 who serves it: one connection, one
 * line ({@code GROUP served by NODE pid PID since ISO-TIME}). Used to measure how long a
 * group is unreachable during a failover.
 */
public final class ServiceProbe {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);

    private static final Pattern LINE = Pattern.compile("(\\S+) served by (\\S+) pid (\\d+) since (\\S+)");

    /** A parsed answer line. */
    public record Answer(String group, String node, long pid, String since) {
        public static Optional<Answer> parse(String line) {
            Matcher m = LINE.matcher(line);
            return m.matches()
                    ? Optional.of(new Answer(m.group(1), m.group(2), Long.parseLong(m.group(3)), m.group(4)))
                    : Optional.empty();
        }
    }

    /** An answer and how long after the start of {@link #awaitAnswer} it came. */
    public record Timed(Answer answer, Duration after) {
    }

    private ServiceProbe() {
    }

    /** The served-by line (without newline), or empty if nothing answered within {@link #DEFAULT_TIMEOUT}. */
    public static Optional<String> probe(int port) {
        return probe(port, DEFAULT_TIMEOUT);
    }

    /** The served-by line (without newline), or empty if the connection or the read failed or timed out. */
    public static Optional<String> probe(int port, Duration timeout) {
        int millis = (int) Math.max(1, timeout.toMillis());
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(FreePorts.LOOPBACK, port), millis);
            socket.setSoTimeout(millis);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line = in.readLine();
            return line == null || line.isEmpty() ? Optional.empty() : Optional.of(line);
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The parsed answer, or empty if nothing (or something unparseable) answered. */
    public static Optional<Answer> who(int port) {
        return probe(port).flatMap(Answer::parse);
    }

    /**
     * Probes {@code port} every {@code pollEvery} until an answer satisfies {@code accept}, for at
     * most {@code within}; returns that answer and the time it took, or empty.
     */
    public static Optional<Timed> awaitAnswer(int port, Predicate<Answer> accept, Duration within, Duration pollEvery) {
        long startNanos = System.nanoTime();
        AtomicReference<Answer> seen = new AtomicReference<>();
        try {
            await("an accepted answer on port " + port).atMost(within).pollDelay(Duration.ZERO).pollInterval(pollEvery)
                    .until(() -> {
                        Optional<Answer> answer = who(port).filter(accept);
                        answer.ifPresent(seen::set);
                        return answer.isPresent();
                    });
        } catch (ConditionTimeoutException e) {
            return Optional.empty();
        }
        return Optional.of(new Timed(seen.get(), Duration.ofNanos(System.nanoTime() - startNanos)));
    }

    /** Waits until {@code node} answers on {@code port}; see {@link #awaitAnswer}. */
    public static Optional<Timed> awaitServedBy(int port, String node, Duration within) {
        return awaitAnswer(port, a -> a.node().equals(node), within, Duration.ofMillis(20));
    }
}
