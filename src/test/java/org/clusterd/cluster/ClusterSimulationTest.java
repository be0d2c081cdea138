package org.clusterd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.LongStream;

import org.clusterd.config.GroupConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Seeded random fault schedules against two simulated nodes: power losses, daemon-only crashes,
 * freezes, total and partial partitions, one-way and lossy links, graceful shutdowns, operator moves,
 * standby and join. After every event: no group runs on both nodes outside the windows where no
 * software can prevent it (total partition, frozen or crashed daemon, plus the time to notice), and
 * no generation goes back. At the end, with every fault healed: each group runs on exactly one node.
 * A failing seed replays exactly: run with -Dclusterd.sim.seed=N.
 */
class ClusterSimulationTest {
    private static final long SETTLE = TestConfigs.TIMERS.deadMs() + 400;

    static LongStream seeds() {
        String one = System.getProperty("clusterd.sim.seed");
        if (one != null) {
            return LongStream.of(Long.parseLong(one));
        }
        return LongStream.rangeClosed(1, Long.getLong("clusterd.sim.seeds", 300));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    void noGroupRunsTwiceAndEveryGroupEndsUpRunningOnce(long seed) {
        SimCluster sim = new SimCluster(seed, TestConfigs.node("a", GroupConfig.Failback.AUTO, 2),
                TestConfigs.node("b", GroupConfig.Failback.AUTO, 2));
        Random random = new Random(seed * 7919);
        FaultSchedule faults = new FaultSchedule(sim, random);
        sim.a.boot();
        sim.runFor(random.nextInt(500));
        sim.b.boot();
        for (int i = 0; i < 40; i++) {
            sim.runFor(200 + random.nextInt(2_000));
            faults.injectOne();
        }
        sim.runFor(3_000);
        faults.healEverything();
        sim.runFor(15_000);

        String context = "seed " + seed + " faults " + faults.log + "\n" + sim.traceTail(80);
        assertThat(sim.violations()).as(context).isEmpty();
        for (String g : List.of("ga", "gb")) {
            assertThat(sim.whereRuns(g)).as(g + " " + context).isIn("a", "b");
        }
    }

    /** Picks and undoes faults; at most one network fault at a time so heartbeats always have a path unless partitioned on purpose. */
    private static final class FaultSchedule {
        final SimCluster sim;
        final Random random;
        final List<String> log = new ArrayList<>();
        boolean networkFault;
        int excuses;

        FaultSchedule(SimCluster sim, Random random) {
            this.sim = sim;
            this.random = random;
        }

        void injectOne() {
            SimNode n = random.nextBoolean() ? sim.a : sim.b;
            int pick = random.nextInt(15);
            long duration = 100 + random.nextInt(3_500);
            switch (pick) {
                case 0 -> {
                    if (n.up()) {
                        note("power off " + n.name + " for " + duration);
                        n.powerOff();
                        sim.at(sim.now + duration, () -> bootIfDown(n));
                    }
                }
                case 1 -> {
                    if (n.up()) {
                        note("daemon crash " + n.name + " for " + duration);
                        excuse();
                        n.crashDaemon();
                        sim.at(sim.now + duration, () -> {
                            bootIfDown(n);
                            unexcuse();
                        });
                    }
                }
                case 2 -> {
                    if (n.up() && !n.frozen) {
                        note("freeze " + n.name + " for " + duration);
                        excuse();
                        n.freeze();
                        sim.at(sim.now + duration, () -> {
                            if (n.frozen) {
                                n.resume();
                            }
                            unexcuse();
                        });
                    }
                }
                case 3 -> networkFault("partition", duration, true, () -> sim.net.cutAll(true));
                case 4 -> networkFault("cut l1", duration, false, () -> {
                    sim.net.cut("l1", "a", true);
                    sim.net.cut("l1", "b", true);
                });
                case 5 -> networkFault("one-way cut l2 from " + n.name, duration, false, () -> sim.net.cut("l2", n.name, true));
                case 6 -> networkFault("30% loss on l1", duration, false, () -> {
                    sim.net.loss("l1", "a", 30);
                    sim.net.loss("l1", "b", 30);
                });
                case 7 -> networkFault("delay l2", duration, false, () -> {
                    sim.net.delay("l2", "a", 40);
                    sim.net.delay("l2", "b", 40);
                });
                case 8 -> {
                    if (n.up() && !n.frozen) {
                        note("graceful stop " + n.name);
                        n.command(new Command.Shutdown());
                        sim.at(sim.now + 1_000 + duration, () -> bootIfDown(n));
                    }
                }
                case 9 -> {
                    String g = random.nextBoolean() ? "ga" : "gb";
                    note("failover " + g + " on " + n.name);
                    n.command(new Command.Failover(g));
                }
                case 10 -> {
                    if (n.up() && !n.frozen) {
                        note("standby " + n.name + " for " + duration);
                        n.command(new Command.Standby());
                        sim.at(sim.now + duration, () -> n.command(new Command.Join()));
                    }
                }
                case 11 -> {
                    String g = random.nextBoolean() ? "ga" : "gb";
                    note("failback " + g + " on " + n.name);
                    n.command(new Command.Failback(g));
                }
                case 12 -> {
                    String g = random.nextBoolean() ? "ga" : "gb";
                    note("monitor failure of " + g + " on " + n.name);
                    n.deliver(new ClusterInput.MonitorFailed(sim.now, g, "svc", "injected"));
                }
                case 13 -> {
                    String g = random.nextBoolean() ? "ga" : "gb";
                    note("starts of " + g + " fail on " + n.name + " for " + duration);
                    n.failStart.add(g);
                    sim.at(sim.now + duration, () -> n.failStart.remove(g));
                }
                default -> {
                    note("ping nodes lost by " + n.name + " for " + duration);
                    n.deliver(new ClusterInput.PingResult(sim.now, 0));
                    sim.at(sim.now + duration, () -> n.deliver(new ClusterInput.PingResult(sim.now, 2)));
                }
            }
        }

        private void networkFault(String what, long duration, boolean partition, Runnable apply) {
            if (networkFault) {
                return;
            }
            note(what + " for " + duration);
            networkFault = true;
            if (partition) {
                excuse();
            }
            apply.run();
            sim.at(sim.now + duration, () -> {
                sim.net.heal();
                networkFault = false;
                if (partition) {
                    unexcuse();
                }
            });
        }

        private void excuse() {
            excuses++;
            sim.beginExcuse();
        }

        private void unexcuse() {
            if (--excuses == 0) {
                sim.endExcuse(SETTLE);
            }
        }

        private void bootIfDown(SimNode n) {
            if (!n.up()) {
                n.boot();
            }
        }

        void healEverything() {
            note("heal");
            sim.net.heal();
            for (SimNode n : List.of(sim.a, sim.b)) {
                if (n.frozen) {
                    n.resume();
                }
                bootIfDown(n);
            }
            sim.runFor(100);
            for (SimNode n : List.of(sim.a, sim.b)) {
                n.command(new Command.Join());
                n.lockFile = n.lockFile && n.up();
            }
        }

        private void note(String what) {
            log.add("t=" + sim.now + " " + what);
            sim.trace("FAULT " + what);
        }
    }
}
