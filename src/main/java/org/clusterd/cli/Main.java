package org.clusterd.cli;

import java.nio.file.Path;

import org.clusterd.config.ConfigException;
import org.clusterd.config.ConfigLoader;
import org.clusterd.node.Daemon;
import org.clusterd.node.DemoLauncher;

public final class Main {
    public static void main(String[] args) throws Exception {
        if (args.length == 3 && args[0].equals("run")) {
            try {
                System.exit(Daemon.run(ConfigLoader.load(Path.of(args[2]))));
            } catch (ConfigException e) {
                System.err.println(e.getMessage());
                System.exit(2);
            }
        } else if (args.length == 1 && args[0].equals("demo")) {
            System.exit(new DemoLauncher(DemoLauncher.findHome(), DemoLauncher.ownJar(), System.out).run());
        }
        System.err.println("usage: clusterd run --config FILE | demo");
        System.exit(2);
    }
}
