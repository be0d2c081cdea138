package org.clusterd.mirror.bench;

import java.lang.reflect.Method;

/**
 * Profiles our timed passes with async-profiler when asked: {@code -Dclusterd.bench.profile=EVENT:FILE}
 * (for example {@code cpu:/tmp/full.collapsed}), with async-profiler's jar on the class path and its
 * library in {@code -Dclusterd.bench.profiler-lib}. Each timed pass of ours adds to one profile, written
 * in collapsed-stack form when the benchmark ends; nothing else is sampled (the warm-ups, rsync's runs
 * and the data generation would swamp the pass). Looked up by reflection: the daemon does not ship it.
 */
final class PassProfiler {
    private final Object profiler;
    private final Method execute;
    private final String event;
    private final String file;
    private boolean started;

    private PassProfiler(Object profiler, Method execute, String event, String file) {
        this.profiler = profiler;
        this.execute = execute;
        this.event = event;
        this.file = file;
    }

    /** The profiler the system properties ask for, or null. */
    static PassProfiler fromProperties() {
        String spec = System.getProperty("clusterd.bench.profile");
        if (spec == null || spec.isEmpty()) {
            return null;
        }
        int colon = spec.indexOf(':');
        if (colon <= 0 || colon == spec.length() - 1) {
            throw new IllegalArgumentException("clusterd.bench.profile is EVENT:FILE, not '" + spec + "'");
        }
        try {
            Class<?> c = Class.forName("one.profiler.AsyncProfiler");
            String lib = System.getProperty("clusterd.bench.profiler-lib");
            Object p = lib == null ? c.getMethod("getInstance").invoke(null) : c.getMethod("getInstance", String.class).invoke(null, lib);
            return new PassProfiler(p, c.getMethod("execute", String.class), spec.substring(0, colon), spec.substring(colon + 1));
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException("clusterd.bench.profile needs async-profiler's jar on the class path: " + e, e);
        }
    }

    void resume() {
        run((started ? "resume" : "start") + ",event=" + event + ",interval=1ms,threads");
        started = true;
    }

    void pause() {
        run("stop");
    }

    /** Writes the profile of every pass so far. */
    void write() {
        if (started) {
            run("dump,collapsed,file=" + file);
        }
    }

    private void run(String command) {
        try {
            execute.invoke(profiler, command);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("async-profiler refused '" + command + "': " + e.getCause(), e);
        }
    }
}
