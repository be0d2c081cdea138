package org.clusterd.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;

import org.clusterd.config.EventTypes;
import org.junit.jupiter.api.Test;

class EventTypesTest {
    @Test
    void everyEventTypeCanBeNamedInTheConfiguration() {
        assertThat(Arrays.stream(ClusterEvent.class.getPermittedSubclasses()).map(Class::getSimpleName))
                .allMatch(EventTypes.ALL::contains);
    }
}
