/**
 * Resource agents: start, stop and check the resources of a service group (shell commands, LSB init
 * scripts, systemd units, virtual IPs), the {@link org.clusterd.resource.GroupRunner} that drives a
 * group's resources in order, and the {@link org.clusterd.resource.PingChecker} for the ping nodes.
 *
 * <p>Every call here blocks, bounded by the configured timeouts; the node layer runs them on its own
 * worker threads and posts the results to its event loop as inputs. Nothing here keeps cluster state.
 * Commands run through {@link org.clusterd.resource.CommandRunner}, in the daemon's process group.
 */
package org.clusterd.resource;
