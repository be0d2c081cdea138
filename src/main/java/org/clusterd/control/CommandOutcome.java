package org.clusterd.control;

/** The daemon's answer to an operator command: whether it accepted it, and what it says about it. */
public record CommandOutcome(boolean accepted, String message) {}
