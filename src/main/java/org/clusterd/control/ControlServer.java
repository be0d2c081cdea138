package org.clusterd.control;

import org.clusterd.util.LogLimiter;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Arrays;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.clusterd.cluster.Command;
import org.clusterd.config.ControlConfig;
import org.clusterd.view.ClusterService;
import org.clusterd.view.ClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's end of the local control channel used by the {@code clusterd} command line.
 *
 * <p>Reachable only from this host and only by the daemon's user: the socket is bound to
 * {@code 127.0.0.1} (never a wildcard address), and every request must carry the token that
 * {@link #start()} writes, freshly generated, to {@code control.tokenFile} with mode 600.
 *
 * <p>Protocol: one request per TCP connection. The client sends a single line of JSON (at most
 * {@value #MAX_REQUEST_BYTES} bytes, within the read timeout, 5 s):
 * <pre>{"token":"…","op":"status"|"standby"|"join"|"failover"|"failback"|"mirror","group":"…"}</pre>
 * ({@code group} only for failover and failback). The server answers a single line of JSON and closes:
 * <ul>
 * <li>status: {@code {"ok":true,"view":<ClusterView>}}</li>
 * <li>a command: {@code {"ok":true|false,"message":"…"}} (accepted or refused by the cluster; the
 *     answer may take up to the command timeout, 60 s, since a handover takes a while)</li>
 * <li>anything else: {@code {"ok":false,"error":"…"}}</li>
 * </ul>
 * A request that is not authenticated or not well formed (wrong or missing token, too long, not JSON,
 * unknown op, missing group, no complete line in time, server busy) gets an error answer (when the
 * client is still there), is counted in {@link #rejected()} and logged at WARN at most once per reason
 * every {@value #LOG_INTERVAL_MILLIS} ms. Request contents are never logged.
 *
 * <p>Threads: one accept thread ({@code clusterd-control}) and a bounded pool of workers
 * ({@code clusterd-control-N}, 4 by default) with a bounded queue; a connection that finds the queue
 * full is answered "busy" and closed. A client that sends nothing holds a worker for at most the read
 * timeout. Not guarded: an authenticated client that stops reading a large answer holds its worker
 * (it has the token, so it is the administrator).
 */
public final class ControlServer implements AutoCloseable {
    static final int MAX_REQUEST_BYTES = 4096;
    static final long LOG_INTERVAL_MILLIS = 10_000;
    private static final int MAX_DRAIN_BYTES = 1 << 20;
    private static final long MAX_DRAIN_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final int BACKLOG = 50;

    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);

    /** Limits of the server; {@link #DEFAULTS} in production, shorter timeouts in tests. */
    record Settings(Duration readTimeout, Duration commandTimeout, int workers, int queue) {
        static final Settings DEFAULTS = new Settings(Duration.ofSeconds(5), Duration.ofSeconds(60), 4, 32);

        Settings {
            if (readTimeout.isNegative() || readTimeout.isZero() || commandTimeout.isNegative() || commandTimeout.isZero()
                    || workers < 1 || queue < 1) {
                throw new IllegalArgumentException("bad control server settings: " + readTimeout + ", " + commandTimeout
                        + ", " + workers + " workers, queue " + queue);
            }
        }
    }

    /** Why a request was rejected: the log key and the text of the error answer. */
    enum Reason {
        BAD_TOKEN("missing or wrong token"),
        TOO_LONG("request longer than " + MAX_REQUEST_BYTES + " bytes"),
        NOT_JSON("the request is not a JSON object"),
        UNKNOWN_OP("unknown op; expected status, standby, join, failover or failback"),
        NO_GROUP("this op needs a group"),
        EMPTY("the connection closed without a request"),
        TIMEOUT("no complete request line in time"),
        BROKEN("the connection failed while reading the request"),
        BUSY("the control channel is busy; try again");

        final String text;

        Reason(String text) {
            this.text = text;
        }
    }

    private static final class Rejection extends Exception {
        private static final long serialVersionUID = 1L;
        final transient Reason reason;

        Rejection(Reason reason) {
            super(reason.text, null, false, false);
            this.reason = reason;
        }
    }

    /** A request line; {@code trailing} when the client sent more than the line (unread input left). */
    private record Line(byte[] bytes, boolean trailing) {}

    private final ClusterService service;
    private final ControlConfig config;
    private final Settings settings;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong rejected = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private final LogLimiter logGate = new LogLimiter(LOG_INTERVAL_MILLIS);
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();

    private ServerSocket serverSocket;
    private Thread acceptThread;
    private ThreadPoolExecutor workers;
    private byte[] token;
    private volatile boolean closed;

    public ControlServer(ClusterService service, ControlConfig config) {
        this(service, config, Settings.DEFAULTS);
    }

    ControlServer(ClusterService service, ControlConfig config, Settings settings) {
        this.service = service;
        this.config = config;
        this.settings = settings;
    }

    /**
     * Binds {@code 127.0.0.1:port} (port 0 picks a free one), then writes a fresh token file and starts
     * serving. The bind comes first so that a second daemon on the same port fails without replacing the
     * running one's token.
     *
     * @throws IOException naming the address when it cannot be bound, or the token file when it cannot
     *         be written
     */
    public synchronized void start() throws IOException {
        if (closed || serverSocket != null) {
            throw new IllegalStateException("control server already " + (closed ? "closed" : "started"));
        }
        InetSocketAddress address = new InetSocketAddress(loopback(), config.port());
        ServerSocket socket = new ServerSocket();
        try {
            socket.setReuseAddress(true);
            socket.bind(address, BACKLOG);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new IOException("cannot bind the control channel to 127.0.0.1:" + config.port() + ": " + e.getMessage()
                    + " (is another clusterd running, or is control.port used by another program?)", e);
        }
        try {
            token = TokenFile.create(config.tokenFile(), random).getBytes(StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            closeQuietly(socket);
            throw new IOException("cannot write the control token file " + config.tokenFile() + ": " + e, e);
        }
        serverSocket = socket;
        AtomicInteger n = new AtomicInteger();
        workers = new ThreadPoolExecutor(settings.workers(), settings.workers(), 0, TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(settings.queue()), r -> {
                    Thread t = new Thread(r, "clusterd-control-" + n.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        acceptThread = new Thread(this::acceptLoop, "clusterd-control");
        acceptThread.setDaemon(true);
        acceptThread.start();
        log.info("Control channel listening on {} (token file {})", endpoint(), config.tokenFile());
    }

    /** {@code tcp:127.0.0.1:PORT}, the port actually bound once started. */
    public String endpoint() {
        return "tcp:127.0.0.1:" + port();
    }

    /** The bound port once started, the configured one before. */
    public synchronized int port() {
        return serverSocket != null ? serverSocket.getLocalPort() : config.port();
    }

    /** Connections turned away since start: unauthenticated, malformed, too slow or too many. */
    public long rejected() {
        return rejected.get();
    }

    /** Requests carried out (answered with a view or a command outcome) since start. */
    public long answered() {
        return answered.get();
    }

    @Override
    public String toString() {
        return "ControlServer[" + endpoint() + ", token file " + config.tokenFile() + ", answered " + answered()
                + ", rejected " + rejected() + (closed ? ", closed" : "") + "]";
    }

    /** Stops accepting, ends every connection and worker, and removes the token file if it is still ours. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (serverSocket == null) {
            return;
        }
        closeQuietly(serverSocket);
        workers.shutdownNow();
        for (Socket s : open) {
            closeQuietly(s);
        }
        try {
            acceptThread.join(TimeUnit.SECONDS.toMillis(5));
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("Control channel workers did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            TokenFile.deleteIfOurs(config.tokenFile(), new String(token, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            log.warn("Cannot remove the control token file {}: {}", config.tokenFile(), e.toString());
        }
        log.info("Control channel on {} closed ({} answered, {} rejected)", endpoint(), answered(), rejected());
    }

    // ---------------------------------------------------------------- accepting

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                // e.g. out of file descriptors: report, breathe, go on
                OptionalLong held = logGate.admit("accept", nowMillis());
                if (held.isPresent()) {
                    log.warn("Control channel cannot accept a connection: {}", e.toString());
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    return;
                }
                continue;
            }
            open.add(socket);
            if (closed) {
                closeQuietly(socket);
                return;
            }
            try {
                workers.execute(() -> serve(socket));
            } catch (RejectedExecutionException e) {
                reject(Reason.BUSY, socket.getRemoteSocketAddress());
                try {
                    writeReply(socket, ControlReply.error(Reason.BUSY.text));
                } catch (IOException ignored) {
                    // the client is gone already
                }
                closeQuietly(socket);
                open.remove(socket);
            }
        }
    }

    // ---------------------------------------------------------------- one connection

    private void serve(Socket socket) {
        SocketAddress from = socket.getRemoteSocketAddress();
        long deadline = System.nanoTime() + settings.readTimeout().toNanos();
        try {
            Line line = null;
            ControlReply reply;
            boolean drain = false;
            try {
                line = readLine(socket, deadline);
                reply = answer(line.bytes());
                drain = line.trailing();
            } catch (Rejection r) {
                reject(r.reason, from);
                reply = ControlReply.error(r.reason.text);
                drain = r.reason == Reason.TOO_LONG || line != null && line.trailing();
                if (r.reason == Reason.EMPTY || r.reason == Reason.BROKEN) {
                    return;
                }
            }
            writeReply(socket, reply);
            if (drain) {
                drain(socket);
            }
        } catch (IOException e) {
            log.debug("Control connection from {} failed while answering: {}", from, e.toString());
        } finally {
            closeQuietly(socket);
            open.remove(socket);
        }
    }

    private static Line readLine(Socket socket, long deadline) throws Rejection {
        byte[] buf = new byte[MAX_REQUEST_BYTES + 1];
        int n = 0;
        try {
            InputStream in = socket.getInputStream();
            while (true) {
                long remainingMillis = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remainingMillis <= 0) {
                    throw new Rejection(Reason.TIMEOUT);
                }
                socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, remainingMillis));
                int r = in.read(buf, n, buf.length - n);
                if (r < 0) {
                    if (n == 0) {
                        throw new Rejection(Reason.EMPTY);
                    }
                    return new Line(Arrays.copyOf(buf, n), false); // a last line without newline is fine
                }
                for (int i = n; i < n + r; i++) {
                    if (buf[i] == '\n') {
                        return new Line(Arrays.copyOf(buf, i), i + 1 < n + r || in.available() > 0);
                    }
                }
                n += r;
                if (n > MAX_REQUEST_BYTES) {
                    throw new Rejection(Reason.TOO_LONG);
                }
            }
        } catch (SocketTimeoutException e) {
            throw new Rejection(Reason.TIMEOUT);
        } catch (IOException e) {
            throw new Rejection(Reason.BROKEN);
        }
    }

    private ControlReply answer(byte[] line) throws Rejection {
        JsonNode request;
        try {
            request = Json.mapper().readTree(line);
        } catch (IOException e) {
            throw new Rejection(Reason.NOT_JSON);
        }
        if (request == null || !request.isObject()) {
            throw new Rejection(Reason.NOT_JSON);
        }
        JsonNode given = request.get("token");
        if (given == null || !given.isTextual()
                || !MessageDigest.isEqual(token, given.textValue().getBytes(StandardCharsets.UTF_8))) {
            throw new Rejection(Reason.BAD_TOKEN);
        }
        String op = text(request, "op");
        switch (op == null ? "" : op) {
            case "status":
                return status();
            case "standby":
                return submit(op, new Command.Standby());
            case "join":
                return submit(op, new Command.Join());
            case "failover":
                return submit(op, new Command.Failover(group(request)));
            case "failback":
                return submit(op, new Command.Failback(group(request)));
            case "mirror":
                return submit(op, new Command.MirrorNow(group(request)));
            default:
                throw new Rejection(Reason.UNKNOWN_OP);
        }
    }

    private static String text(JsonNode request, String field) {
        JsonNode node = request.get(field);
        return node != null && node.isTextual() ? node.textValue() : null;
    }

    private static String group(JsonNode request) throws Rejection {
        String group = text(request, "group");
        if (group == null || group.isBlank()) {
            throw new Rejection(Reason.NO_GROUP);
        }
        return group;
    }

    private ControlReply status() {
        try {
            ClusterView view = service.view();
            answered.incrementAndGet();
            return ControlReply.status(view);
        } catch (RuntimeException e) {
            log.warn("Control channel: the cluster view failed", e);
            return ControlReply.error("the daemon could not produce its status: " + e);
        }
    }

    private ControlReply submit(String op, Command command) {
        ClusterService.CommandResult result;
        try {
            result = service.submit(command, settings.commandTimeout());
        } catch (RuntimeException e) {
            log.warn("Control channel: operator command {} failed", command, e);
            return ControlReply.error("the daemon could not carry out " + op + ": " + e);
        }
        if (result == null) {
            log.warn("Control channel: operator command {} got no result", command);
            return ControlReply.error("the daemon gave no result for " + op);
        }
        answered.incrementAndGet();
        log.info("Operator command {} from the control channel: {} ({})", command,
                result.accepted() ? "accepted" : "refused", result.message());
        return ControlReply.command(result.accepted(), result.message());
    }

    // ---------------------------------------------------------------- helpers

    private void reject(Reason reason, SocketAddress from) {
        rejected.incrementAndGet();
        OptionalLong held = logGate.admit(reason, nowMillis());
        if (held.isPresent()) {
            log.warn("Rejected a control connection from {}: {}{}", from, reason.text,
                    held.getAsLong() > 0 ? " (" + held.getAsLong() + " more like it not logged)" : "");
        }
    }

    private static void writeReply(Socket socket, ControlReply reply) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((Json.write(reply) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * Reads and drops what the client sent beyond the request (bounded in bytes and time), so that
     * closing does not reset the connection and destroy the answer before the client read it.
     */
    private static void drain(Socket socket) {
        long end = System.nanoTime() + MAX_DRAIN_NANOS;
        byte[] buf = new byte[8192];
        int total = 0;
        try {
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            while (total < MAX_DRAIN_BYTES) {
                long left = TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                socket.setSoTimeout((int) left);
                int r = in.read(buf);
                if (r < 0) {
                    return;
                }
                total += r;
            }
        } catch (IOException e) {
            // timed out or reset: nothing more to do
        }
    }

    private static long nowMillis() {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime());
    }

    private static InetAddress loopback() throws IOException {
        return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // closing
        }
    }
}
