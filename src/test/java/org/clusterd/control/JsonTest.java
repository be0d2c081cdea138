package org.clusterd.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.clusterd.view.ClusterView;
import org.junit.jupiter.api.Test;

class JsonTest {
    @Test
    void aClusterViewRoundTripsThroughOneLineOfJson() throws Exception {
        ClusterView view = SampleViews.office();

        String line = Json.write(view);

        assertThat(line).doesNotContain("\n").startsWith("{\"cluster\":\"office\",\"node\":\"alpha\",\"state\":\"ACTIVE\"");
        assertThat(line).contains("\"owner\":null"); // the contract's nulls stay visible
        assertThat(Json.read(line, ClusterView.class)).isEqualTo(view);
        assertThat(Json.read(Json.pretty(view), ClusterView.class)).isEqualTo(view);
    }

    @Test
    void unknownPropertiesFromANewerDaemonAreIgnored() throws Exception {
        String line = Json.write(SampleViews.office()).replaceFirst("^\\{", "{\"addedLater\":{\"x\":[1,2]},");

        assertThat(Json.read(line, ClusterView.class)).isEqualTo(SampleViews.office());
    }

    @Test
    void repliesCarryOnlyTheirOwnFields() throws Exception {
        assertThat(Json.write(ControlReply.command(false, "no"))).isEqualTo("{\"ok\":false,\"message\":\"no\"}");
        assertThat(Json.write(ControlReply.error("bad"))).isEqualTo("{\"ok\":false,\"error\":\"bad\"}");
        assertThat(Json.read("{\"ok\":true,\"message\":\"done\"}", ControlReply.class))
                .isEqualTo(ControlReply.command(true, "done"));
    }
}
