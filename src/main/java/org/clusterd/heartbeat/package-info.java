/**
 * Heartbeats on the wire: the authenticated datagram ({@link org.clusterd.heartbeat.HeartbeatCodec}),
 * the inbound checks ({@link org.clusterd.heartbeat.HeartbeatAcceptor},
 * {@link org.clusterd.heartbeat.ReplayGuard}) and the UDP transport over the node's links
 * ({@link org.clusterd.heartbeat.HeartbeatTransport}, {@link org.clusterd.heartbeat.UdpHeartbeatTransport}).
 *
 * <p>Everything but the transport is pure: bytes and times in, values or rejections out. The transport
 * owns the sockets and one receive thread per link; it judges nothing about the peer's liveness, which
 * is the cluster state machine's business, fed by {@link org.clusterd.heartbeat.HeartbeatTransport.Listener}.
 */
package org.clusterd.heartbeat;
