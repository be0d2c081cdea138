package org.clusterd.cli;

import org.clusterd.control.ControlClient;
import org.clusterd.control.ControlException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "mirror",
        description = "Run a mirror pass of one mirror set now, outside its schedule (only on the group's owner).")
final class MirrorCommand extends ControlCommand {
    @Parameters(index = "0", paramLabel = "SET", description = "the mirror set")
    String set;

    @Override
    int talk(ControlClient client) throws ControlException {
        return report(client.command("mirror", set));
    }
}
