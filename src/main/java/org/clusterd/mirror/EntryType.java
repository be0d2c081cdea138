package org.clusterd.mirror;

/** What a path in a mirror set is. Special files (devices, FIFOs, sockets) are not mirrored. */
public enum EntryType { FILE, DIR, SYMLINK }
