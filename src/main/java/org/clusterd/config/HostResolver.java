package org.clusterd.config;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns a host name (never an address literal: those are parsed without any lookup) into an
 * address. The loader's one port to the outside world, so tests can load files that name hosts
 * without depending on DNS.
 */
@FunctionalInterface
interface HostResolver {
    HostResolver SYSTEM = InetAddress::getByName;

    InetAddress resolve(String hostName) throws UnknownHostException;
}
