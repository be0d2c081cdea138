package org.clusterd.node;

import java.util.Map;

import org.clusterd.config.ClusterConfig;

/** Environment variables every resource and notify command gets, so configs need no absolute paths. */
final class NodeEnvironment {
    private NodeEnvironment() {}

    static Map<String, String> of(ClusterConfig config) {
        return Map.of("CLUSTERD_NODE", config.localNode(), "CLUSTERD_PEER", config.peerNode(),
                "CLUSTERD_CLUSTER", config.clusterName(),
                "CLUSTERD_CONFIG_DIR", config.source().toAbsolutePath().getParent().toString(),
                "CLUSTERD_STATE_DIR", config.stateDir().toAbsolutePath().toString());
    }
}
