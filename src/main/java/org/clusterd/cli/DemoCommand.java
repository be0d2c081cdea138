package org.clusterd.cli;

import java.io.IOException;

import org.clusterd.node.DemoLauncher;

import picocli.CommandLine.Command;

/** Starts the two demo nodes of etc/demo as separate processes; Ctrl-C stops both gracefully. */
@Command(name = "demo", description = "Run the two-node demo cluster of etc/demo on loopback (Ctrl-C stops it).")
final class DemoCommand extends Subcommand {
    @Override
    int execute() throws Failure {
        try {
            return new DemoLauncher(DemoLauncher.findHome(), DemoLauncher.ownJar(), System.out).run();
        } catch (IOException e) {
            throw new Failure(Main.REFUSED, "cannot start the demo: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Main.OK;
        }
    }
}
