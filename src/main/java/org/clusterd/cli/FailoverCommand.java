package org.clusterd.cli;

import org.clusterd.control.ControlClient;
import org.clusterd.control.ControlException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "failover",
        description = "Move a group to the other node now, from wherever it runs.")
final class FailoverCommand extends ControlCommand {
    @Parameters(index = "0", paramLabel = "GROUP", description = "the service group")
    String group;

    @Override
    int talk(ControlClient client) throws ControlException {
        return report(client.command("failover", group));
    }
}
