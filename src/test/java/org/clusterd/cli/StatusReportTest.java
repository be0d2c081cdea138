package org.clusterd.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.clusterd.control.SampleViews;
import org.clusterd.view.ClusterView;
import org.junit.jupiter.api.Test;

class StatusReportTest {
    @Test
    void agesReadLikeAPersonWouldSayThem() {
        assertThat(StatusReport.ago(-1)).isEqualTo("never");
        assertThat(StatusReport.ago(300)).isEqualTo("0.3s ago");
        assertThat(StatusReport.ago(42_000)).isEqualTo("42s ago");
        assertThat(StatusReport.ago(300_000)).isEqualTo("5m ago");
        assertThat(StatusReport.ago(3 * 3_600_000)).isEqualTo("3h ago");
    }

    @Test
    void fieldsCannotBreakLinesOrSendTerminalEscapes() {
        ClusterView v = SampleViews.office();
        ClusterView hostile = new ClusterView(v.cluster(), v.node(), v.state(), v.generatedAtMillis(), v.stats(), v.timers(),
                v.nodes(), v.links(), v.groups(), v.mirrors(), v.endpoints(),
                List.of(new ClusterView.EventView(1, "ResourceFailed", "WARNING", "alpha", "mail",
                        "exit 1: \u001b[2Jcleared\nfake line")));

        String report = StatusReport.format(hostile);

        assertThat(report).doesNotContain("\u001b").contains("exit 1: ?[2Jcleared fake line");
    }

    @Test
    void anEmptyClusterSaysWhatIsMissing() {
        ClusterView v = SampleViews.office();
        ClusterView empty = new ClusterView(v.cluster(), v.node(), "STARTING", 0, null, null, List.of(), List.of(),
                List.of(), List.of(), null, List.of());

        assertThat(StatusReport.format(empty)).isEqualTo("""
                cluster office, node alpha: STARTING
                as of -

                no nodes

                no links

                no groups

                no mirrors

                EVENTS: none yet
                """);
    }
}
