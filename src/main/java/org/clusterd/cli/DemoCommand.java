package org.clusterd.cli;

import picocli.CommandLine.Command;

/** Placeholder: the integrator wires it to the demo launcher once that exists. */
@Command(name = "demo", description = "Run a two-node demo cluster on this machine.")
final class DemoCommand extends Subcommand {
    @Override
    int execute() throws Failure {
        throw new Failure(Main.REFUSED, "demo not available yet");
    }
}
