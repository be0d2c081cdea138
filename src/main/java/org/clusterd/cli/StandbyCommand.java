package org.clusterd.cli;

import org.clusterd.control.ControlClient;
import org.clusterd.control.ControlException;
import picocli.CommandLine.Command;

@Command(name = "standby",
        description = "Hand every group to the peer and stay in standby (across reboots) until 'clusterd join'.")
final class StandbyCommand extends ControlCommand {
    @Override
    int talk(ControlClient client) throws ControlException {
        return report(client.command("standby", null));
    }
}
