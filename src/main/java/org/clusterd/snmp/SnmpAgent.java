package org.clusterd.snmp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.NavigableMap;
import java.util.concurrent.atomic.AtomicReference;

import org.clusterd.cluster.ClusterEvent;
import org.clusterd.config.SnmpConfig;
import org.clusterd.view.ClusterService;
import org.clusterd.view.ClusterView;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.snmp4j.MessageDispatcher;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.agent.AgentConfigManager;
import org.snmp4j.agent.DefaultMOServer;
import org.snmp4j.agent.DuplicateRegistrationException;
import org.snmp4j.agent.MOServer;
import org.snmp4j.agent.mo.snmp.RowStatus;
import org.snmp4j.agent.mo.snmp.SnmpCommunityMIB;
import org.snmp4j.agent.mo.snmp.StorageType;
import org.snmp4j.agent.mo.snmp.VacmMIB;
import org.snmp4j.agent.security.MutableVACM;
import org.snmp4j.cfg.EngineBootsProvider;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthHMAC128SHA224;
import org.snmp4j.security.AuthHMAC192SHA256;
import org.snmp4j.security.AuthHMAC256SHA384;
import org.snmp4j.security.AuthHMAC384SHA512;
import org.snmp4j.security.PrivAES128;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.Variable;
import org.snmp4j.transport.DefaultUdpTransportMapping;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.util.ThreadPool;

/**
 * The node's SNMP agent: serves the standard system and SNMP groups, the SNMP engine and USM
 * statistics, and CLUSTERD-MIB from the one {@link ClusterView} snapshot; sends a notification for
 * every cluster event to the configured targets.
 *
 * <p>Access (VACM): the v2c community (if configured) and every SNMPv3 user (authPriv only) get one
 * read view: system (1.3.6.1.2.1.1), snmp (1.3.6.1.2.1.11), snmpEngine (1.3.6.1.6.3.10.2.1),
 * snmpMPDStats (1.3.6.1.6.3.11.2.1), usmStats (1.3.6.1.6.3.15.1.1) and clusterdMIB. Nobody has a
 * write view, so every SET fails (noAccess); the agent's own configuration tables (community, USM
 * users, VACM, targets) are in no view. SNMPv1 is not offered. Bad packets, unknown communities and
 * wrong keys are dropped and counted (snmpInASNParseErrs, snmpInBadCommunityNames, usmStats...).
 *
 * <p>Lifecycle: {@link #start()} binds the port and subscribes to events; {@link #close()} stops
 * everything and may be called more than once.
 */
public final class SnmpAgent implements AutoCloseable {
    static final List<OID> READ_VIEW = List.of(
            new OID("1.3.6.1.2.1.1"),
            new OID("1.3.6.1.2.1.11"),
            new OID("1.3.6.1.6.3.10.2.1"),
            new OID("1.3.6.1.6.3.11.2.1"),
            new OID("1.3.6.1.6.3.15.1.1"),
            ClusterMib.MIB);
    private static final OctetString READ_VIEW_NAME = new OctetString("clusterdRead");
    private static final OctetString NO_VIEW = new OctetString();
    private static final OctetString V2C_SECURITY_NAME = new OctetString("clusterd-v2c");
    private static final OctetString V2C_GROUP = new OctetString("clusterdV2c");
    private static final OctetString V3_GROUP = new OctetString("clusterdV3");

    private static final Logger log = LoggerFactory.getLogger(SnmpAgent.class);

    private final SnmpConfig config;
    private final ClusterService service;
    private final String localNode;
    private final ClusterMib.Rows rows = new ClusterMib.Rows();
    private final AtomicReference<Rendered> last = new AtomicReference<>();

    private AgentConfigManager agent;
    private ThreadPool workers;
    private DefaultUdpTransportMapping transport;
    private NotificationSender sender;
    private AutoCloseable subscription;
    private volatile long agentStartMillis;
    private volatile InetSocketAddress bound;
    private boolean started;
    private boolean closed;

    /** A rendering of the MIB for one view, remembered with the request it was made for. */
    private record Rendered(Object request, ClusterView view, NavigableMap<OID, Variable> values) {}

    /** Counts of notifications since start (see {@link NotificationSender.Stats}). */
    public record NotificationStats(long sent, long acknowledged, long failed, long dropped) {}

    public SnmpAgent(SnmpConfig config, ClusterService service, String localNode) {
        this.config = config;
        this.service = service;
        this.localNode = localNode;
        this.bound = config.listen();
    }

    /**
     * Binds the listen address, starts answering requests, subscribes to cluster events and sends
     * coldStart to the trap targets.
     *
     * @throws IOException if the address cannot be bound (in use, not local, no permission)
     * @throws IllegalStateException if started before or closed
     */
    public synchronized void start() throws IOException {
        if (started || closed) {
            throw new IllegalStateException(closed ? "closed" : "already started");
        }
        started = true;
        try {
            startAgent();
            sender = new NotificationSender(config.trapTargets(), config.users(), config.source(), agent.getUsm().getLocalEngineID(),
                    agent.getUsm().getEngineBoots(), () -> agent.getSysUpTime().get());
            sender.start();
            subscription = service.subscribe(this::onEvent);
            sender.submit(new EventNotifications.Notification(SnmpConstants.coldStart, List.of()));
            log.info("SNMP agent listening on {}, notifications to {} from {}", endpoint(), trapTargets(),
                    config.source().map(a -> a.getHostAddress()).orElse("any address"));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    private void startAgent() throws IOException {
        EngineBoots engine = new EngineBoots(config.engineFile());
        DefaultMOServer server = new DefaultMOServer();
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        InetSocketAddress listen = config.listen();
        transport = new DefaultUdpTransportMapping(new UdpAddress(listen.getAddress(), listen.getPort()));
        bound = new InetSocketAddress(listen.getAddress(), transport.getListenAddress().getPort());
        dispatcher.addTransportMapping(transport);
        workers = ThreadPool.create("clusterd-snmp", 2);
        agent = new Manager(engine.engineId(), dispatcher, new MOServer[] {server}, workers, engine, sysDescr());
        agent.setContext(new SecurityModels(), new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.defaultSecurity),
                new CounterSupport());
        agent.initialize();
        agentStartMillis = System.currentTimeMillis() - agent.getSysUpTime().get().toMilliseconds();
        agent.getSNMPv2MIB().setName(new OctetString(localNode));
        configureAccess(agent);
        try {
            server.register(new SnapshotObject(ClusterMib.MIB, this::values, ClusterMib.OBJECT_TYPES), null);
        } catch (DuplicateRegistrationException e) {
            throw new IllegalStateException(e);
        }
        agent.run();
        if (!transport.isListening()) {
            throw new IOException("SNMP agent cannot listen on " + endpoint());
        }
    }

    private String sysDescr() {
        String cluster;
        try {
            cluster = service.view().cluster();
        } catch (RuntimeException e) {
            cluster = "?";
        }
        String version = SnmpAgent.class.getPackage().getImplementationVersion();
        return "clusterd" + (version != null ? " " + version : "") + " node " + localNode + " of cluster " + cluster
                + " - " + System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
                + System.getProperty("os.arch") + " - Java " + System.getProperty("java.version");
    }

    private void configureAccess(AgentConfigManager a) {
        VacmMIB vacm = a.getVacmMIB();
        for (OID subtree : READ_VIEW) {
            vacm.addViewTreeFamily(READ_VIEW_NAME, subtree, new OctetString(), VacmMIB.vacmViewIncluded, StorageType.readOnly);
        }
        if (config.community().isPresent()) {
            SnmpCommunityMIB communities = a.getSnmpCommunityMIB();
            Variable[] row = {
                    new OctetString(config.community().get()),
                    V2C_SECURITY_NAME,
                    a.getCommandProcessor().getContextEngineID(),
                    new OctetString(),
                    new OctetString(),
                    new Integer32(StorageType.readOnly),
                    new Integer32(RowStatus.active)};
            communities.getSnmpCommunityEntry().addRow(
                    communities.getSnmpCommunityEntry().createRow(new OctetString("clusterd").toSubIndex(true), row));
            vacm.addGroup(SecurityModel.SECURITY_MODEL_SNMPv2c, V2C_SECURITY_NAME, V2C_GROUP, StorageType.readOnly);
            vacm.addAccess(V2C_GROUP, new OctetString(), SecurityModel.SECURITY_MODEL_SNMPv2c, SecurityLevel.NOAUTH_NOPRIV,
                    MutableVACM.VACM_MATCH_EXACT, READ_VIEW_NAME, NO_VIEW, NO_VIEW, StorageType.readOnly);
        }
        for (SnmpConfig.User u : config.users()) {
            a.getUsm().addUser(usmUser(u), a.getUsm().getLocalEngineID());
            vacm.addGroup(SecurityModel.SECURITY_MODEL_USM, new OctetString(u.name()), V3_GROUP, StorageType.readOnly);
        }
        if (!config.users().isEmpty()) {
            vacm.addAccess(V3_GROUP, new OctetString(), SecurityModel.SECURITY_MODEL_USM, SecurityLevel.AUTH_PRIV,
                    MutableVACM.VACM_MATCH_EXACT, READ_VIEW_NAME, NO_VIEW, NO_VIEW, StorageType.readOnly);
        }
    }

    static UsmUser usmUser(SnmpConfig.User u) {
        OID auth;
        if (u.auth() == SnmpConfig.AuthProtocol.SHA_224) {
            auth = AuthHMAC128SHA224.ID;
        } else if (u.auth() == SnmpConfig.AuthProtocol.SHA_384) {
            auth = AuthHMAC256SHA384.ID;
        } else if (u.auth() == SnmpConfig.AuthProtocol.SHA_512) {
            auth = AuthHMAC384SHA512.ID;
        } else {
            auth = AuthHMAC192SHA256.ID;
        }
        return new UsmUser(new OctetString(u.name()), auth, new OctetString(u.authPassphrase()), PrivAES128.ID,
                new OctetString(u.privPassphrase()));
    }

    /** The MIB's instances for {@code request}: one rendering per request, and per view object. */
    private NavigableMap<OID, Variable> values(Object request) {
        Rendered r = last.get();
        if (request != null && r != null && r.request() == request) {
            return r.values();
        }
        ClusterView view = service.view();
        NavigableMap<OID, Variable> values = r != null && r.view() == view
                ? r.values()
                : ClusterMib.render(view, rows, agentStartMillis);
        last.set(new Rendered(request, view, values));
        return values;
    }

    private void onEvent(ClusterEvent e) {
        try {
            NotificationSender s = sender;
            if (s != null) {
                s.submit(EventNotifications.of(e));
            }
        } catch (RuntimeException ex) {
            log.warn("Cannot turn event {} into an SNMP notification: {}", e, ex.toString());
        }
    }

    /** Where the agent answers, {@code udp:HOST:PORT} (the port actually bound once started). */
    public String endpoint() {
        return SnmpConfig.endpoint(bound);
    }

    /** Where notifications go, each {@code udp:HOST:PORT}. */
    public List<String> trapTargets() {
        return config.trapTargets().stream().map(SnmpConfig.TrapTarget::endpoint).toList();
    }

    public NotificationStats notificationStats() {
        NotificationSender s = sender;
        if (s == null) {
            return new NotificationStats(0, 0, 0, 0);
        }
        NotificationSender.Stats st = s.stats();
        return new NotificationStats(st.sent(), st.acknowledged(), st.failed(), st.dropped());
    }

    /** The engine ID as hex, once started (managers see it as snmpEngineID.0). */
    public synchronized String engineId() {
        return agent == null ? "" : agent.getUsm().getLocalEngineID().toHexString().replace(":", "");
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (subscription != null) {
            try {
                subscription.close();
            } catch (Exception e) {
                log.debug("Unsubscribing the SNMP agent: {}", e.toString());
            }
        }
        if (sender != null) {
            sender.close();
        }
        if (agent != null) {
            agent.shutdown();
        } else if (transport != null) {
            try {
                transport.close();
            } catch (IOException e) {
                log.debug("Closing the SNMP socket: {}", e.toString());
            }
        }
        if (workers != null) {
            workers.stop();
        }
    }

    @Override
    public String toString() {
        return "SnmpAgent[" + endpoint() + " v2c=" + config.community().isPresent() + " users="
                + config.users().stream().map(SnmpConfig.User::name).toList() + " trapTargets=" + trapTargets() + "]";
    }

    /** snmp4j-agent's manager, without SNMPv1, optional MIBs or launch notifications (coldStart is ours). */
    private static final class Manager extends AgentConfigManager {
        Manager(OctetString engineId, MessageDispatcher dispatcher, MOServer[] servers, ThreadPool workers,
                EngineBootsProvider boots, String sysDescr) {
            super(engineId, dispatcher, null, servers, workers, null, null, boots);
            this.sysDescr = new OctetString(sysDescr);
            this.sysOID = ClusterMib.AGENT;
        }

        @Override
        protected void initMessageDispatcherWithMPs(MessageDispatcher mp) {
            mp.addMessageProcessingModel(new MPv2c());
            mp.addMessageProcessingModel(new MPv3(engineID.getValue(), null, securityProtocols, securityModels, counterSupport));
        }

        @Override
        protected void initOptionalMIBs() {
            // none: the SNMP4J log/config/proxy MIBs, the notification log and DH kick-start are not served
        }

        @Override
        protected void fireLaunchNotifications() {
            // coldStart is sent by SnmpAgent's own sender, from the management address
        }
    }
}
