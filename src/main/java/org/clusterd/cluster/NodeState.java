package org.clusterd.cluster;

/**
 * The state of a node as a whole, as it announces itself.
 * {@code STARTING}: within initDead after start, takes nothing over.
 * {@code ACTIVE}: serving normally. {@code STANDBY}: holds no group and mirrors nothing.
 * {@code LEAVING}: shutting down gracefully; its released groups may be taken at once.
 */
public enum NodeState { STARTING, ACTIVE, STANDBY, LEAVING }
