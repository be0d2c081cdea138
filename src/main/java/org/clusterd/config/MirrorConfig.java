package org.clusterd.config;

import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The node-to-node mirror channel: TCP with mutual TLS 1.3. This node accepts mirror sessions on
 * {@code listen} and connects to the peer's {@code peer}. {@code keystore} (PKCS12) holds this node's
 * key and certificate, {@code truststore} (PKCS12) the peer's certificate; both open with the
 * password in {@code passwordFile}, which must be private to its owner (mode 600). Overwritten and
 * deleted files are kept in a trash under the state directory of at most {@code trashMaxBytes}.
 */
public record MirrorConfig(InetSocketAddress listen, InetSocketAddress peer, Path keystore, Path truststore,
                           Path passwordFile, long trashMaxBytes) {
    public static final long DEFAULT_TRASH_MAX_BYTES = 1L << 30;
}
