package org.clusterd.cli;

import org.clusterd.control.ControlClient;
import org.clusterd.control.ControlException;
import org.clusterd.control.Json;
import org.clusterd.view.ClusterView;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "status",
        description = "Show the cluster as the local daemon sees it. Exit 0 if the daemon answered, 3 if none runs.")
final class StatusCommand extends ControlCommand {
    @Option(names = "--json", description = "print the daemon's view as JSON (the same document as the HTTP API)")
    boolean json;

    @Override
    int talk(ControlClient client) throws ControlException {
        ClusterView view = client.status();
        if (json) {
            out().println(Json.pretty(view));
        } else {
            out().print(StatusReport.format(view));
        }
        return Main.OK;
    }
}
