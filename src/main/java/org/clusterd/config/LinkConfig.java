package org.clusterd.config;

import java.net.InetSocketAddress;

/** One heartbeat path: the UDP address this node binds and the address it sends to for the peer. */
public record LinkConfig(String name, InetSocketAddress local, InetSocketAddress peer) {}
