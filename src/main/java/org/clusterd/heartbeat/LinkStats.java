package org.clusterd.heartbeat;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Objects;

/**
 * Counters of one heartbeat link since the transport started. Each number is read atomically, but
 * the record as a whole is not one instant: {@code received} may be one ahead of
 * {@code lastReceivedWallMillis}, for instance. {@code rejected} is always the sum of
 * {@code rejectedByReason}.
 *
 * @param name                   the link's name from the configuration
 * @param local                  the address bound (the configured one until started)
 * @param peer                   where heartbeats are sent
 * @param sent                   datagrams handed to the network
 * @param received               heartbeats accepted and passed to the listener
 * @param rejected               datagrams dropped, for any reason
 * @param lost                   the peer's sequence numbers missing among those accepted on this link
 *                               (a gauge, not a counter: it goes down by one when a late datagram fills a
 *                               gap still inside the replay window)
 * @param sendErrors             datagrams that could not be sent
 * @param lastReceivedWallMillis our wall clock when a heartbeat was last accepted; 0 if never
 * @param rejectedByReason       {@code rejected} by reason; every reason present, zero or not
 */
public record LinkStats(
        String name,
        InetSocketAddress local,
        InetSocketAddress peer,
        long sent,
        long received,
        long rejected,
        long lost,
        long sendErrors,
        long lastReceivedWallMillis,
        Map<RejectReason, Long> rejectedByReason) {

    public LinkStats {
        Objects.requireNonNull(name, "name");
        rejectedByReason = Map.copyOf(rejectedByReason);
    }

    /** Datagrams dropped for {@code reason}. */
    public long rejected(RejectReason reason) {
        return rejectedByReason.getOrDefault(reason, 0L);
    }
}
