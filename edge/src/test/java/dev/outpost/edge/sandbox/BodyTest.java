package dev.outpost.edge.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class BodyTest {
    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String all(Body body) throws InterruptedException {
        return new String(body.readAll(), StandardCharsets.UTF_8);
    }

    @Test
    void readsWhatWasWrittenBackAndFrontInOrder() throws Exception {
        Body body = new Body();
        body.write(b("world"));
        body.writeFront(b("hello "));
        body.write(b("!"));
        body.finish();
        assertThat(body.knownLength()).isEqualTo(12);
        assertThat(all(body)).isEqualTo("hello world!");
    }

    @Test
    void writeFrontAfterAPartialReadKeepsTheUnreadRest() throws Exception {
        Body body = new Body();
        body.write(b("abcdef"));
        assertThat(body.read(2)).isEqualTo(b("ab"));
        body.writeFront(b("X"));
        body.finish();
        assertThat(all(body)).isEqualTo("Xcdef");
    }

    @Test
    void anAppendedBodyIsReadInPlaceAsItsWriterGoesOn() throws Exception {
        Body outer = new Body();
        Body inner = new Body().hostWritten();
        outer.write(b("a"));
        outer.append(inner);
        outer.write(b("c"));
        outer.finish();
        assertThat(outer.knownLength()).isNull();
        assertThat(outer.isReady()).isTrue();
        assertThat(outer.read(10)).isEqualTo(b("a"));
        // The appended body has nothing yet: the outer one waits for its writer.
        assertThat(outer.isReady()).isFalse();
        // A thread of the test's own (never a shared pool): a reader left blocked must not starve other tests.
        ExecutorService reader = Executors.newSingleThreadExecutor();
        try {
            Future<String> rest = reader.submit(() -> all(outer));
            inner.write(b("b"));
            inner.finish();
            assertThat(rest.get(5, TimeUnit.SECONDS)).isEqualTo("bc");
        } finally {
            inner.finish();
            reader.shutdownNow();
        }
    }

    @Test
    void theGuestGivingUpAHostWrittenBodyDoesNotEndIt() throws Exception {
        Body fromBackend = new Body().hostWritten();
        fromBackend.knownLength(5);
        fromBackend.endGuestWrites();
        assertThat(fromBackend.finished()).isFalse();
        assertThat(fromBackend.isReady()).isFalse();
        fromBackend.write(b("later"));
        fromBackend.finish();
        assertThat(fromBackend.knownLength()).isEqualTo(5);
        assertThat(all(fromBackend)).isEqualTo("later");
    }

    @Test
    void theGuestGivingUpItsOwnBodyEndsIt() throws Exception {
        Body own = new Body();
        own.write(b("x"));
        own.endGuestWrites();
        assertThat(own.finished()).isTrue();
        assertThat(own.completeBytes()).isEqualTo(b("x"));
    }

    @Test
    void anAbandonedBodyEndsAndSaysSo() throws Exception {
        Body body = new Body();
        body.write(b("partial"));
        body.abandon();
        assertThat(all(body)).isEqualTo("partial");
        assertThat(body.abandoned()).isTrue();
    }
}
