package org.clusterd.demo;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A tiny TCP service standing for the "mail/file service" of a group in the demo and in
 * the multi-process tests.
 *
 * <p>It answers every connection with one line {@code GROUP served by NODE pid PID since
 * ISO-TIME} and closes it. It binds with {@code SO_REUSEPORT}: if a cluster fault makes two
 * nodes run it at once on one host, both bind and the overlap shows up in the journal and on
 * the port instead of being hidden by a bind error.
 *
 * <p>Journal: a file that both nodes' services may share. Each line is written with a single
 * {@code write} on a file opened with {@code O_APPEND}, so lines of two processes never
 * interleave. Lines are {@code KIND NODE GROUP EPOCH_MILLIS PID} with KIND one of
 * {@code START} (listening), {@code TICK} (every {@value #TICK_MILLIS} ms while running) and
 * {@code STOP} (written on SIGTERM after the port is closed). A {@code kill -9} simply ends
 * the TICKs.
 */
public final class DemoService implements AutoCloseable {
    public static final long TICK_MILLIS = 50;
    public static final String USAGE =
            "usage: DemoService --node NAME --group GROUP --port PORT --journal FILE [--bind ADDRESS]";

    private static final Logger log = LoggerFactory.getLogger(DemoService.class);

    /** Command line of the service; names must not contain white space (journal fields). */
    public record Options(String node, String group, int port, Path journal, String bind) {
        public Options {
            requireWord("--node", node);
            requireWord("--group", group);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("--port out of range: " + port);
            }
            if (journal == null) {
                throw new IllegalArgumentException("--journal is required");
            }
            requireWord("--bind", bind);
        }

        public static Options parse(String... args) {
            String node = null, group = null, journal = null, bind = "127.0.0.1";
            Integer port = null;
            for (int i = 0; i < args.length; i += 2) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + args[i]);
                }
                String value = args[i + 1];
                switch (args[i]) {
                    case "--node" -> node = value;
                    case "--group" -> group = value;
                    case "--journal" -> journal = value;
                    case "--bind" -> bind = value;
                    case "--port" -> {
                        try {
                            port = Integer.parseInt(value);
                        } catch (NumberFormatException e) {
                            throw new IllegalArgumentException("--port is not a number: " + value);
                        }
                    }
                    default -> throw new IllegalArgumentException("unknown option " + args[i]);
                }
            }
            if (port == null) {
                throw new IllegalArgumentException("--port is required");
            }
            return new Options(node, group, port, journal == null ? null : Path.of(journal), bind);
        }

        private static void requireWord(String option, String value) {
            if (value == null || value.isEmpty() || value.chars().anyMatch(Character::isWhitespace)) {
                throw new IllegalArgumentException(option + " must be a non-empty word, got: " + value);
            }
        }
    }

    private final Options options;
    private final Clock clock;
    private final long pid = ProcessHandle.current().pid();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ServerSocketChannel server;
    private final FileChannel journalFile;
    private final ScheduledExecutorService ticker;
    private final Thread acceptor;
    private final byte[] answer;
    private final int boundPort;

    private DemoService(Options options, Clock clock) throws IOException {
        this.options = options;
        this.clock = clock;
        this.server = ServerSocketChannel.open();
        try {
            server.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            server.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            server.bind(new InetSocketAddress(InetAddress.getByName(options.bind()), options.port()), 50);
            this.journalFile = FileChannel.open(options.journal(),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException e) {
            server.close();
            throw e;
        }
        this.boundPort = ((InetSocketAddress) server.getLocalAddress()).getPort();
        Instant since = clock.instant();
        this.answer = (options.group() + " served by " + options.node() + " pid " + pid
                + " since " + since + "\n").getBytes(StandardCharsets.UTF_8);
        this.ticker = Executors.newSingleThreadScheduledExecutor(r -> new Thread(r, "demo-tick"));
        this.acceptor = new Thread(this::acceptLoop, "demo-accept");
    }

    /** Binds the port, writes START, then ticks and answers until {@link #close()}. */
    public static DemoService start(Options options, Clock clock) throws IOException {
        DemoService service = new DemoService(options, clock);
        service.append("START");
        service.ticker.scheduleAtFixedRate(() -> service.append("TICK"),
                TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
        service.acceptor.start();
        log.info("started {}", service);
        return service;
    }

    /** The port actually bound (useful with {@code --port 0}). */
    public int port() {
        return boundPort;
    }

    /** Stops ticking, closes the port, then writes STOP. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        // shutdown(), not shutdownNow(): interrupting a TICK in the middle of its write closes the
        // journal's FileChannel (it is interruptible), and STOP could then not be written
        ticker.shutdown();
        try {
            if (!ticker.awaitTermination(2, TimeUnit.SECONDS)) {
                log.warn("tick thread did not stop within 2 s");
            }
            server.close();
            acceptor.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            log.warn("closing port {}: {}", options.port(), e.toString());
        }
        append("STOP");
        try {
            journalFile.close();
        } catch (IOException e) {
            log.warn("closing journal {}: {}", options.journal(), e.toString());
        }
        log.info("stopped {}", this);
        stopped.countDown();
    }

    public void awaitClosed() throws InterruptedException {
        stopped.await();
    }

    @Override
    public String toString() {
        return "DemoService[node=" + options.node() + " group=" + options.group() + " pid=" + pid
                + " listen=" + options.bind() + ":" + boundPort + " journal=" + options.journal() + "]";
    }

    private void acceptLoop() {
        while (server.isOpen()) {
            try (SocketChannel client = server.accept()) {
                ByteBuffer buffer = ByteBuffer.wrap(answer);
                for (int attempts = 0; buffer.hasRemaining() && attempts < 16; attempts++) {
                    client.write(buffer);
                }
            } catch (ClosedChannelException e) {
                return;
            } catch (IOException e) {
                log.debug("answering a client: {}", e.toString());
            }
        }
    }

    private synchronized void append(String kind) {
        String line = kind + " " + options.node() + " " + options.group() + " "
                + clock.millis() + " " + pid + "\n";
        ByteBuffer buffer = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
        try {
            int written = journalFile.write(buffer);
            if (buffer.hasRemaining()) {
                log.warn("short journal write ({} of {} bytes)", written, buffer.capacity());
                journalFile.write(buffer);
            }
        } catch (IOException e) {
            log.error("cannot write {} to journal {}: {}", kind, options.journal(), e.toString());
        }
    }

    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println(USAGE);
            System.exit(2);
            return;
        }
        DemoService service;
        try {
            service = start(options, Clock.systemUTC());
        } catch (IOException e) {
            log.error("cannot start on {}:{}: {}", options.bind(), options.port(), e.toString());
            System.exit(1);
            return;
        }
        Runtime.getRuntime().addShutdownHook(new Thread(service::close, "demo-stop"));
        service.awaitClosed();
    }
}
