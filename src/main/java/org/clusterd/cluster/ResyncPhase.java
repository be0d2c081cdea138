package org.clusterd.cluster;

/**
 * The two passes that bring a group's data to the node that will run it next (architecture rule 4):
 * {@code BULK} while the group still runs on the owner, {@code FINAL} with the group stopped on both.
 */
public enum ResyncPhase { BULK, FINAL }
