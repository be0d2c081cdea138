package org.clusterd.config;

import java.util.List;

/**
 * The names of the cluster event types an operator may attach notify commands to. Kept here so the
 * configuration can be checked without depending on the layers above; a test in the cluster package
 * keeps it equal to the event records that exist.
 */
public final class EventTypes {
    private EventTypes() {}

    public static final List<String> ALL = List.of(
            "NodeUp", "NodeDown", "LinkUp", "LinkDown", "TakeoverStarted", "TakeoverCompleted", "GroupStarted",
            "GroupStopped", "GroupFailed", "HandoverStarted", "HandoverCompleted", "ResyncStarted",
            "ResyncCompleted", "ResyncFailed", "StandbyEntered", "StandbyLeft", "SplitBrain", "StopFailed",
            "PublicNetworkLost", "LocalPause", "StandDownOrdered", "OrphanFound", "TakeoverDeferred",
            "MirrorFailed", "ConflictDetected", "MassDeleteRefused");
}
