package org.clusterd.snmp;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.clusterd.config.SnmpConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snmp4j.CommunityTarget;
import org.snmp4j.PDU;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.event.ResponseListener;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.smi.IpAddress;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.MessageDispatcherImpl;

/**
 * Sends notifications to the configured targets from the node's management address, on a thread of
 * its own: {@link #submit} only queues (a full queue drops and counts), traps are fire-and-forget
 * datagrams, informs are asynchronous (acknowledged or retried by snmp4j's timer, never waited for).
 * So a dead or slow receiver never slows the caller. Its own socket (an ephemeral port on the source
 * address) keeps notification traffic apart from the agent's request socket.
 */
final class NotificationSender implements AutoCloseable {
    /** snmpTrapAddress.0 (SNMP-COMMUNITY-MIB): the address the notification is about, for NMSs that file traps by it. */
    static final OID SNMP_TRAP_ADDRESS = new OID("1.3.6.1.6.3.18.1.3.0");
    static final int QUEUE = 1000;
    /** Informs awaiting their acknowledgement, all targets together; beyond this new informs are dropped. */
    static final int MAX_PENDING_INFORMS = 256;

    private static final Logger log = LoggerFactory.getLogger(NotificationSender.class);

    private final List<SnmpConfig.TrapTarget> targets;
    private final List<SnmpConfig.User> users;
    private final Optional<InetAddress> source;
    private final OctetString engineId;
    private final int engineBoots;
    private final Supplier<TimeTicks> upTime;
    private final ThreadPoolExecutor executor;
    private final AtomicLong sent = new AtomicLong();
    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicInteger pendingInforms = new AtomicInteger();
    private Snmp snmp;

    /** Counts since start: {@code sent} notifications handed to the network (one per target), informs {@code acknowledged} or {@code failed} (no answer after every retry, or an error), and {@code dropped} ones (queue full, too many informs pending). */
    record Stats(long sent, long acknowledged, long failed, long dropped) {}

    NotificationSender(List<SnmpConfig.TrapTarget> targets, List<SnmpConfig.User> users, Optional<InetAddress> source,
                       OctetString engineId, int engineBoots, Supplier<TimeTicks> upTime) {
        this.targets = List.copyOf(targets);
        this.users = List.copyOf(users);
        this.source = source;
        this.engineId = engineId;
        this.engineBoots = engineBoots;
        this.upTime = upTime;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "clusterd-snmp-notify");
            t.setDaemon(true);
            return t;
        });
    }

    void start() throws IOException {
        if (targets.isEmpty()) {
            return;
        }
        SecurityProtocols protocols = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.defaultSecurity);
        CounterSupport counters = new CounterSupport();
        USM usm = new USM(protocols, engineId, engineBoots, counters);
        for (SnmpConfig.User u : users) {
            // not localized: snmp4j localizes the keys for each receiver's engine it discovers
            usm.addUser(SnmpAgent.usmUser(u));
        }
        SecurityModels models = new SecurityModels();
        models.addSecurityModel(usm);
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addMessageProcessingModel(new MPv2c());
        dispatcher.addMessageProcessingModel(new MPv3(engineId.getValue(), null, protocols, models, counters));
        InetAddress bind = source.orElse(null);
        DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping(
                bind == null ? new UdpAddress(0) : new UdpAddress(bind, 0));
        snmp = new Snmp(dispatcher, transport);
        snmp.listen();
    }

    /** Queues {@code n} for every target; false (and counted as dropped) if the queue is full or closed. */
    boolean submit(EventNotifications.Notification n) {
        if (targets.isEmpty()) {
            return true;
        }
        try {
            executor.execute(() -> send(n));
            return true;
        } catch (RejectedExecutionException e) {
            dropped.addAndGet(targets.size());
            log.warn("SNMP notification {} dropped: {} notifications are already waiting to be sent", n.trapOid(), QUEUE);
            return false;
        }
    }

    Stats stats() {
        return new Stats(sent.get(), acknowledged.get(), failed.get(), dropped.get());
    }

    private void send(EventNotifications.Notification n) {
        Snmp s = snmp;
        if (s == null) {
            return;
        }
        for (SnmpConfig.TrapTarget t : targets) {
            try {
                sendTo(s, t, n);
            } catch (IOException | RuntimeException e) {
                failed.incrementAndGet();
                log.warn("Cannot send SNMP notification {} to {}: {}", n.trapOid(), t.endpoint(), e.toString());
            }
        }
    }

    private void sendTo(Snmp s, SnmpConfig.TrapTarget t, EventNotifications.Notification n) throws IOException {
        PDU pdu = t.version() == SnmpConfig.Version.V3 ? new ScopedPDU() : new PDU();
        pdu.setType(t.inform() ? PDU.INFORM : PDU.TRAP);
        pdu.add(new VariableBinding(SnmpConstants.sysUpTime, upTime.get()));
        pdu.add(new VariableBinding(SnmpConstants.snmpTrapOID, n.trapOid()));
        n.objects().forEach(pdu::add);
        if (source.isPresent() && source.get() instanceof Inet4Address) {
            pdu.add(new VariableBinding(SNMP_TRAP_ADDRESS, new IpAddress(source.get())));
        }
        Target<UdpAddress> target = target(t);
        if (!t.inform()) {
            s.send(pdu, target);
            sent.incrementAndGet();
            return;
        }
        if (pendingInforms.incrementAndGet() > MAX_PENDING_INFORMS) {
            pendingInforms.decrementAndGet();
            dropped.incrementAndGet();
            log.warn("SNMP inform {} to {} dropped: {} informs await acknowledgement", n.trapOid(), t.endpoint(), MAX_PENDING_INFORMS);
            return;
        }
        ResponseListener listener = new ResponseListener() {
            @Override
            public <A extends org.snmp4j.smi.Address> void onResponse(ResponseEvent<A> event) {
                ((Snmp) event.getSource()).cancel(event.getRequest(), this);
                pendingInforms.decrementAndGet();
                PDU response = event.getResponse();
                if (response != null && response.getErrorStatus() == PDU.noError) {
                    acknowledged.incrementAndGet();
                } else {
                    failed.incrementAndGet();
                    log.warn("SNMP inform {} to {} not acknowledged: {}", n.trapOid(), t.endpoint(),
                            response == null ? (event.getError() != null ? event.getError().toString() : "no answer after "
                                    + (t.retries() + 1) + " tries") : response.getErrorStatusText());
                }
            }
        };
        try {
            s.send(pdu, target, null, listener);
            sent.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            pendingInforms.decrementAndGet();
            throw e;
        }
    }

    private static Target<UdpAddress> target(SnmpConfig.TrapTarget t) {
        UdpAddress address = new UdpAddress(t.address().getAddress(), t.address().getPort());
        Target<UdpAddress> target;
        if (t.version() == SnmpConfig.Version.V3) {
            UserTarget<UdpAddress> u = new UserTarget<>();
            u.setAddress(address);
            u.setSecurityName(new OctetString(t.user().orElseThrow()));
            u.setSecurityLevel(SecurityLevel.AUTH_PRIV);
            u.setSecurityModel(SecurityModel.SECURITY_MODEL_USM);
            u.setVersion(SnmpConstants.version3);
            target = u;
        } else {
            CommunityTarget<UdpAddress> c = new CommunityTarget<>(address, new OctetString(t.community().orElseThrow()));
            c.setVersion(SnmpConstants.version2c);
            target = c;
        }
        target.setTimeout(t.timeoutMs());
        target.setRetries(t.retries());
        return target;
    }

    @Override
    public void close() {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
        Snmp s = snmp;
        snmp = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                log.debug("Closing the SNMP notification session: {}", e.toString());
            }
        }
    }
}
