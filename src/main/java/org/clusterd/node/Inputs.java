package org.clusterd.node;

import org.clusterd.cluster.ClusterInput;

/** Gives an input the loop's time: inputs are created on other threads and may wait in the inbox. */
final class Inputs {
    private Inputs() {}

    static ClusterInput at(ClusterInput in, long now) {
        if (in instanceof ClusterInput.HeartbeatReceived h) {
            return new ClusterInput.HeartbeatReceived(now, h.link(), h.heartbeat());
        } else if (in instanceof ClusterInput.StartDone s) {
            return new ClusterInput.StartDone(now, s.group(), s.ok(), s.detail());
        } else if (in instanceof ClusterInput.StopDone s) {
            return new ClusterInput.StopDone(now, s.group(), s.ok(), s.detail());
        } else if (in instanceof ClusterInput.MonitorFailed m) {
            return new ClusterInput.MonitorFailed(now, m.group(), m.resource(), m.detail());
        } else if (in instanceof ClusterInput.ResyncDone r) {
            return new ClusterInput.ResyncDone(now, r.group(), r.phase(), r.ok(), r.detail());
        } else if (in instanceof ClusterInput.PingResult p) {
            return new ClusterInput.PingResult(now, p.reached());
        } else if (in instanceof ClusterInput.Operator o) {
            return new ClusterInput.Operator(now, o.command());
        }
        return new ClusterInput.Tick(now);
    }
}
