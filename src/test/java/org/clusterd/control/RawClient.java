package org.clusterd.control;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Speaks bytes to the control port, as a hostile or careless client would. */
final class RawClient {
    static final InetAddress LOOPBACK = loopback();

    private RawClient() {}

    /**
     * Sends {@code request} (nothing if null), half-closes if asked, and returns the answer line, or null
     * if the server closed or reset the connection without one. Gives up after {@code readTimeoutMs}.
     */
    static String exchange(int port, byte[] request, boolean halfClose, int readTimeoutMs) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(LOOPBACK, port), 2000);
            s.setSoTimeout(readTimeoutMs);
            try {
                if (request != null) {
                    s.getOutputStream().write(request);
                    s.getOutputStream().flush();
                }
                if (halfClose) {
                    s.shutdownOutput();
                }
                return readLine(s.getInputStream());
            } catch (java.net.SocketException e) {
                return null; // reset: "closed" is an acceptable outcome for a hostile request
            }
        }
    }

    static String exchange(int port, String line) throws IOException {
        return exchange(port, (line + "\n").getBytes(StandardCharsets.UTF_8), false, 10_000);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            out.write(b);
        }
        return out.size() == 0 && b < 0 ? null : out.toString(StandardCharsets.UTF_8);
    }

    private static InetAddress loopback() {
        try {
            return InetAddress.getByAddress(new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
