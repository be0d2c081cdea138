package org.clusterd.control;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.clusterd.view.ClusterView;

/**
 * The daemon's one-line answer on the control channel. Exactly one of: {@code view} (status),
 * {@code message} (a command, accepted or refused per {@code ok}), {@code error} (the request was not
 * carried out: bad token, malformed request, internal failure; {@code ok} is false).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ControlReply(boolean ok, ClusterView view, String message, String error) {
    static ControlReply status(ClusterView view) {
        return new ControlReply(true, view, null, null);
    }

    static ControlReply command(boolean accepted, String message) {
        return new ControlReply(accepted, null, message, null);
    }

    static ControlReply error(String error) {
        return new ControlReply(false, null, null, error);
    }
}
