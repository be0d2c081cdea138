package org.clusterd.cli;

import org.clusterd.control.ControlClient;
import org.clusterd.control.ControlException;
import picocli.CommandLine.Command;

@Command(name = "join",
        description = "Leave standby: remove the standby lock and take part in the cluster again.")
final class JoinCommand extends ControlCommand {
    @Override
    int talk(ControlClient client) throws ControlException {
        return report(client.command("join", null));
    }
}
