package dev.outpost.edge.cache;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.edge.backend.BackendException;
import dev.outpost.edge.backend.SendErrorTag;
import dev.outpost.edge.sandbox.Body;
import dev.outpost.edge.sandbox.PendingRequest.BackendResponse;
import dev.outpost.edge.sandbox.RequestState;
import dev.outpost.edge.sandbox.ResponseState;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** The readthrough cache against a scripted backend and a clock the test moves. */
class ReadthroughTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final CacheStore store = new CacheStore(1 << 20, now::get);
    private final List<RequestState> sent = new ArrayList<>();
    private Function<RequestState, CompletableFuture<BackendResponse>> backend;
    private final Readthrough readthrough = new Readthrough(store, (request, body) -> {
        sent.add(request);
        return backend.apply(request);
    });

    private static CompletableFuture<BackendResponse> answer(int status, String body, String... headers) {
        ResponseState head = new ResponseState();
        head.status = status;
        for (int i = 0; i < headers.length; i += 2) {
            head.headers.append(headers[i], headers[i + 1]);
        }
        return CompletableFuture.completedFuture(new BackendResponse(
                head, Body.of(body.getBytes(StandardCharsets.UTF_8)).hostWritten()));
    }

    private static RequestState request(String method) {
        RequestState r = new RequestState();
        r.method = method;
        r.uri = "http://origin.test/page";
        return r;
    }

    private static String text(BackendResponse r) throws InterruptedException {
        return new String(r.body().readAll(), StandardCharsets.UTF_8);
    }

    @Test
    void aHeadMissFetchesTheWholeObjectAsGetAndAnsweresWithoutABody() throws Exception {
        backend = r -> answer(200, "full body", "cache-control", "max-age=60");
        BackendResponse head =
                readthrough.send(request("HEAD"), Body.of(new byte[0])).get();
        assertThat(sent.getFirst().method).isEqualTo("GET");
        assertThat(text(head)).isEmpty();
        BackendResponse get =
                readthrough.send(request("GET"), Body.of(new byte[0])).get();
        assertThat(text(get)).isEqualTo("full body");
        assertThat(get.head().headers.first("x-cache")).isEqualTo("HIT");
        assertThat(sent).hasSize(1);
    }

    @Test
    void staleIfErrorStandsInForAFailingBackend() throws Exception {
        backend = r -> answer(200, "good", "cache-control", "max-age=10, stale-if-error=600");
        readthrough.send(request("GET"), Body.of(new byte[0])).get();
        now.addAndGet(TimeUnit.SECONDS.toNanos(60));
        backend = r -> CompletableFuture.failedFuture(
                new BackendException(SendErrorTag.CONNECTION_REFUSED, "backend down", null));
        BackendResponse stale =
                readthrough.send(request("GET"), Body.of(new byte[0])).get();
        assertThat(text(stale)).isEqualTo("good");
        assertThat(stale.head().headers.first("x-cache")).isEqualTo("HIT");
        backend = r -> answer(503, "unavailable");
        assertThat(text(readthrough.send(request("GET"), Body.of(new byte[0])).get()))
                .isEqualTo("good");
        // Past stale-if-error the failure shows.
        now.addAndGet(TimeUnit.SECONDS.toNanos(3600));
        backend = r -> CompletableFuture.failedFuture(
                new BackendException(SendErrorTag.CONNECTION_REFUSED, "backend down", null));
        assertThatThrownBy(() ->
                        readthrough.send(request("GET"), Body.of(new byte[0])).get())
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(BackendException.class);
    }

    @Test
    void theClientsConditionalHeadersDoNotReachTheBackendOnAMiss() throws Exception {
        backend = r -> answer(200, "x", "cache-control", "max-age=60");
        RequestState r = request("GET");
        r.headers.append("if-none-match", "\"client-copy\"");
        r.headers.append("range", "bytes=0-1");
        readthrough.send(r, Body.of(new byte[0])).get();
        assertThat(sent.getFirst().headers.first("if-none-match")).isNull();
        assertThat(sent.getFirst().headers.first("range")).isNull();
    }

    @Test
    void uncacheableResponsesAreNotCollapsedAfterwards() throws Exception {
        backend = r -> answer(200, "private", "cache-control", "private");
        readthrough.send(request("GET"), Body.of(new byte[0])).get();
        // The hit-for-pass lets the next request straight through (no obligation, no waiting).
        CompletableFuture<BackendResponse> next = readthrough.send(request("GET"), Body.of(new byte[0]));
        assertThat(next).isDone();
        assertThat(sent).hasSize(2);
    }
}
