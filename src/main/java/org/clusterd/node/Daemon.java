package org.clusterd.node;

import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import java.util.List;

import org.clusterd.config.ClusterConfig;
import org.clusterd.control.ControlServer;
import org.clusterd.view.ClusterService;
import org.clusterd.view.ClusterView;
import org.clusterd.config.ResourceConfig;
import org.clusterd.heartbeat.UdpHeartbeatTransport;
import org.clusterd.mirror.MirrorService;
import org.clusterd.resource.PingChecker;
import org.clusterd.snmp.SnmpAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running node daemon: wires every layer, runs the event loop until a graceful stop. */
public final class Daemon {
    private static final Logger log = LoggerFactory.getLogger(Daemon.class);
    /**
     * Heartbeats are not judged by the sender's clock: two nodes whose clocks drifted apart must still
     * hear each other (rejecting them would make both take over). Replays are stopped by incarnation,
     * sequence window and the receiver-acknowledgement in every heartbeat instead.
     */
    private static final Duration NO_CLOCK_SKEW_LIMIT = Duration.ofDays(365L * 100);

    private Daemon() {}

    /** Runs the node in the foreground until SIGTERM (graceful handover) and returns the exit status. */
    public static int run(ClusterConfig config) {
        EventHub events = new EventHub(500);
        if (!config.notifiers().isEmpty()) {
            events.subscribe(new NotifyCommands(config.notifiers(), NodeEnvironment.of(config)));
        }
        UdpHeartbeatTransport transport = new UdpHeartbeatTransport(config.clusterName(), config.localNode(),
                config.peerNode(), config.clusterKey(), config.links(), Clock.systemUTC(), NO_CLOCK_SKEW_LIMIT);
        MirrorBridge mirrorBridge = new MirrorBridge(config.localNode(), events);
        NodeRuntime runtime = new NodeRuntime(config, NodeClock.system(), transport, mirrorBridge, events);
        ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "clusterd-ping");
            t.setDaemon(true);
            return t;
        });
        PingChecker ping = new PingChecker(config.pingNodes());
        // The mirror service listens before the first heartbeat goes out, so a peer that hears this node
        // and starts a handover finds it ready; until the loop publishes its first snapshot the bridge
        // refuses every session and skips every scheduled pass.
        MirrorService mirror = null;
        if (config.mirror().isPresent()) {
            try {
                mirror = new MirrorService(config, mirrorBridge, mirrorBridge::onMirrorEvent);
                mirrorBridge.attach(runtime, mirror);
                mirror.start();
            } catch (IOException e) {
                // Without mirroring a failover would run on stale data: refuse to run half-protected.
                log.error("cannot start mirroring: {}; stopping", e.getMessage());
                return stopAfterFailedStart(mirror, runtime, events);
            }
            MirrorService m = mirror;
            runtime.mirrors(m::status, set -> {
                try {
                    org.clusterd.mirror.PassResult r = m.passNow(set);
                    return new ClusterService.CommandResult(r.ok(), "mirror " + set + ": " + r.status() + " "
                            + r.filesMoved() + " files, " + r.bytesMoved() + " bytes, " + r.conflicts() + " conflicts"
                            + (r.reason() == null || r.reason().isEmpty() ? "" : " (" + r.reason() + ")"));
                } catch (IllegalArgumentException e) {
                    return new ClusterService.CommandResult(false, e.getMessage());
                }
            });
        }
        MirrorService mirrorService = mirror;
        try {
            runtime.start();
        } catch (IOException e) {
            log.error("cannot start node {}: {}", config.localNode(), e.getMessage());
            return stopAfterFailedStart(mirrorService, runtime, events);
        }
        // From here on a group may start at any moment, so SIGTERM must hand it over even while the
        // control and SNMP endpoints are still coming up; a JVM exit without the hook would
        // leave the services running with no daemon watching them.
        Duration stopLimit = gracefulStopLimit(config);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            log.info("SIGTERM: handing groups over (at most {} s)", stopLimit.toSeconds());
            if (!runtime.shutdown(stopLimit)) {
                log.error("graceful stop did not finish within {} s", stopLimit.toSeconds());
            }
        }, "clusterd-shutdown"));
        // The control channel comes before SNMP so an operator can ask what the node is doing at once.
        ControlServer control = new ControlServer(runtime, config.control());
        try {
            control.start();
        } catch (IOException e) {
            log.error("cannot open the control channel: {}; stopping", e.getMessage());
            runtime.shutdown(stopLimit);
            return stopAfterFailedStart(mirrorService, runtime, events);
        }
        SnmpAgent snmp = null;
        if (config.snmp().isPresent()) {
            snmp = new SnmpAgent(config.snmp().get(), runtime, config.localNode());
            try {
                snmp.start();
            } catch (IOException e) {
                // Monitoring must not take the cluster down: serve without SNMP and say so loudly.
                log.error("cannot start the SNMP agent: {}; running without it", e.getMessage());
                snmp = null;
            }
        }
        runtime.endpoints(new ClusterView.Endpoints(null, snmp == null ? null : snmp.endpoint(),
                snmp == null ? List.of() : snmp.trapTargets(), null, control.endpoint()));
        if (!config.pingNodes().isEmpty()) {
            long every = Math.max(1000, 2 * config.timers().heartbeatIntervalMs());
            Duration timeout = Duration.ofMillis(Math.min(1000, config.timers().deadMs() / 3));
            pinger.scheduleWithFixedDelay(() -> runtime.pingResult(ping.reachable(timeout)), 0, every, TimeUnit.MILLISECONDS);
        }
        SnmpAgent snmpAgent = snmp;
        try {
            runtime.awaitExit();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            pinger.shutdownNow();
            ping.close();
            control.close();
            if (mirrorService != null) {
                mirrorService.close();
            }
            if (snmpAgent != null) {
                snmpAgent.close();
            }
            runtime.close();
            events.close();
        }
        log.info("node {} stopped", config.localNode());
        return 0;
    }

    /** Closes what a start that failed part-way had opened; the exit status of such a start. */
    private static int stopAfterFailedStart(MirrorService mirror, NodeRuntime runtime, EventHub events) {
        if (mirror != null) {
            mirror.close();
        }
        runtime.close();
        events.close();
        return 1;
    }

    /** Long enough to stop every group (each resource at its timeout) and tell the peer. */
    static Duration gracefulStopLimit(ClusterConfig config) {
        long stops = config.groups().stream().flatMap(g -> g.resources().stream())
                .mapToLong(ResourceConfig::timeoutMs).sum();
        return Duration.ofMillis(stops * 2 + config.timers().deadMs() * 2 + 10_000);
    }
}
