package org.clusterd.cli;

import org.clusterd.control.ControlClient;
import org.clusterd.control.ControlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "failback",
        description = "Bring a group back to its home node (for groups with failback: manual).")
final class FailbackCommand extends ControlCommand {
    @Parameters(index = "0", paramLabel = "GROUP", description = "the service group")
    String group;

    @Override
    int talk(ControlClient client) throws ControlException {
        return report(client.command("failback", group));
    }
}
