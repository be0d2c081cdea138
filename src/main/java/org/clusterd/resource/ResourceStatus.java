package org.clusterd.resource;

/** The status of one resource, as reported by its agent. */
public record ResourceStatus(String resource, ResourceAgent.Status status) {
    @Override
    public String toString() {
        return resource + "=" + status;
    }
}
