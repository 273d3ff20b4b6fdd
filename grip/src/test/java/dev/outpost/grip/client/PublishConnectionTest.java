package dev.outpost.grip.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class PublishConnectionTest {
    private static final Duration TEN_SECONDS = Duration.ofSeconds(10);

    @Test
    void aClosedConnectionIsSaidInWordsNotAsAClassName() {
        String said = PublishConnection.failure(new ClosedChannelException(), TEN_SECONDS);

        assertThat(said).isEqualTo("the connection closed before the request was sent");
    }

    @Test
    void aFailureWithoutMessageNamesNoClass() {
        assertThat(PublishConnection.failure(new IOException(), TEN_SECONDS)).isEqualTo("connection failed");
        assertThat(PublishConnection.failure(new IOException("Broken pipe"), TEN_SECONDS))
                .isEqualTo("Broken pipe");
    }
}
