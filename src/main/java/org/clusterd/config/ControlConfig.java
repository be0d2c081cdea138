package org.clusterd.config;

import java.nio.file.Path;

/**
 * The local control channel between the CLI and its daemon: a TCP port bound to loopback only,
 * guarded by a random token in a file readable only by the daemon's user.
 */
public record ControlConfig(int port, Path tokenFile) {}
