package org.clusterd.control;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Duration;
import org.clusterd.config.ControlConfig;
import org.clusterd.view.ClusterView;

/**
 * The command line's end of the control channel (see {@link ControlServer} for the protocol): reads the
 * token file, connects to {@code 127.0.0.1:port}, sends one request line, reads one answer line.
 * Every failure is a {@link ControlException} whose message is fit for an operator and whose kind says
 * whether the daemon is not running, the token is not readable, or the exchange failed.
 */
public final class ControlClient {
    private static final int MAX_ANSWER_BYTES = 64 << 20;
    /** How long a missing token file is waited for when the control port already listens: 2 s. */
    private static final int TOKEN_RETRIES = 20;
    private static final Duration TOKEN_RETRY_PAUSE = Duration.ofMillis(100);

    /** Time limits of the client; commands wait longer than the server's 60 s command timeout. */
    record Timeouts(Duration connect, Duration status, Duration command) {
        static final Timeouts DEFAULTS = new Timeouts(Duration.ofSeconds(3), Duration.ofSeconds(15), Duration.ofSeconds(75));
    }

    private final ControlConfig config;
    private final Timeouts timeouts;

    public ControlClient(ControlConfig config) {
        this(config, Timeouts.DEFAULTS);
    }

    ControlClient(ControlConfig config, Timeouts timeouts) {
        this.config = config;
        this.timeouts = timeouts;
    }

    /** The daemon's current view of the cluster. */
    public ClusterView status() throws ControlException {
        ControlReply reply = exchange("status", null, timeouts.status());
        if (!reply.ok() || reply.view() == null) {
            throw new ControlException(ControlException.Kind.FAILED, "the daemon answered without a status view");
        }
        return reply.view();
    }

    /**
     * Sends an operator command ({@code standby}, {@code join}, {@code failover}, {@code failback}; the
     * last two need {@code group}) and returns whether the daemon accepted it.
     */
    public CommandOutcome command(String op, String group) throws ControlException {
        ControlReply reply = exchange(op, group, timeouts.command());
        return new CommandOutcome(reply.ok(), reply.message() != null ? reply.message() : "");
    }

    private String where() {
        return "127.0.0.1:" + config.port();
    }

    private ControlReply exchange(String op, String group, Duration answerTimeout) throws ControlException {
        String token = token();
        ObjectNode request = Json.mapper().createObjectNode().put("token", token).put("op", op);
        if (group != null) {
            request.put("group", group);
        }
        try (Socket socket = connect()) {
            socket.setSoTimeout((int) answerTimeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write((Json.write(request) + "\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
            String line = readLine(socket.getInputStream());
            ControlReply reply = Json.read(line, ControlReply.class);
            if (reply.error() != null) {
                throw new ControlException(ControlException.Kind.FAILED, "the daemon refused the request: " + reply.error());
            }
            return reply;
        } catch (ControlException e) {
            throw e;
        } catch (SocketTimeoutException e) {
            throw new ControlException(ControlException.Kind.FAILED,
                    "the clusterd daemon on " + where() + " did not answer within " + answerTimeout.toSeconds() + " s", e);
        } catch (JsonProcessingException e) {
            throw new ControlException(ControlException.Kind.FAILED,
                    "the program on " + where() + " gave an answer that is not a clusterd answer: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ControlException(ControlException.Kind.FAILED,
                    "the control connection to " + where() + " failed: " + e.getMessage(), e);
        }
    }

    private String token() throws ControlException {
        try {
            return TokenFile.read(config.tokenFile());
        } catch (NoSuchFileException e) {
            // usually the daemon never started with this configuration; say so if nothing listens
            probe();
            // a daemon that is starting binds its port a moment before it writes the token file
            for (int i = 0; i < TOKEN_RETRIES; i++) {
                try {
                    Thread.sleep(TOKEN_RETRY_PAUSE.toMillis());
                    return TokenFile.read(config.tokenFile());
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (IOException | SecurityException retryFailed) {
                    // still missing (or now unreadable): try again, then report the first problem
                }
            }
            throw new ControlException(ControlException.Kind.ACCESS, "cannot read token file " + config.tokenFile()
                    + ": it does not exist although something listens on " + where()
                    + "; is this the configuration the daemon runs with?", e);
        } catch (AccessDeniedException e) {
            throw new ControlException(ControlException.Kind.ACCESS, "cannot read token file " + config.tokenFile()
                    + ": are you root / the daemon's user?", e);
        } catch (IOException | SecurityException e) {
            throw new ControlException(ControlException.Kind.ACCESS, "cannot read token file " + config.tokenFile()
                    + ": " + e.getMessage() + "; are you root / the daemon's user?", e);
        }
    }

    /** Throws NOT_RUNNING if nothing listens on the control port; returns if something does. */
    private void probe() throws ControlException {
        try (Socket ignored = connect()) {
            // something listens; closing without a request is counted by the daemon, which is fine
        } catch (ControlException e) {
            throw e;
        } catch (IOException e) {
            // listening but misbehaving: the token problem is the better message
        }
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1}), config.port()),
                    (int) timeouts.connect().toMillis());
            return socket;
        } catch (ConnectException e) {
            socket.close();
            throw new ControlException(ControlException.Kind.NOT_RUNNING, "no clusterd daemon answers on " + where(), e);
        } catch (SocketTimeoutException e) {
            socket.close();
            throw new ControlException(ControlException.Kind.FAILED, "the clusterd daemon on " + where()
                    + " does not accept connections within " + timeouts.connect().toSeconds() + " s (busy or hung?)", e);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        while (true) {
            int r = in.read(buf);
            if (r < 0) {
                if (line.size() == 0) {
                    throw new IOException("the daemon closed the connection without an answer");
                }
                break;
            }
            int nl = -1;
            for (int i = 0; i < r; i++) {
                if (buf[i] == '\n') {
                    nl = i;
                    break;
                }
            }
            line.write(buf, 0, nl < 0 ? r : nl);
            if (nl >= 0) {
                break;
            }
            if (line.size() > MAX_ANSWER_BYTES) {
                throw new IOException("the answer is longer than " + MAX_ANSWER_BYTES + " bytes");
            }
        }
        return line.toString(StandardCharsets.UTF_8);
    }
}
