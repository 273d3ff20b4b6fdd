package dev.outpost.junit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.testkit.engine.EngineTestKit;
import org.junit.platform.testkit.engine.Events;

/** What a failing test reports, and how a misplaced extension is refused, run through JUnit's own engine. */
@Timeout(60)
class FailureReportTest {
    /** Fails after a request through the proxy; run by the test kit only (a static nested class). */
    static class FailingAfterARequest {
        @RegisterExtension
        static final OutpostExtension outpost = OutpostExtension.withRoutes();

        @Test
        void fails() throws Exception {
            HttpClient http = HttpClient.newHttpClient();
            try {
                http.sendAsync(
                        HttpRequest.newBuilder(URI.create(outpost.proxyUrl() + "/response?channel=lonely"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                outpost.awaitSubscribers("lonely", 1, Duration.ofSeconds(20));
            } finally {
                http.shutdownNow();
            }
            outpost.publisher().publishHttpStream("nobody-listens", "x");
            throw new AssertionError("the test's own failure");
        }
    }

    /** Registers the extension on an instance field, which JUnit never starts per class. */
    static class NotStatic {
        @RegisterExtension
        final OutpostExtension outpost = OutpostExtension.withRoutes();

        @Test
        void test() {}
    }

    /** Asks for serve, which this module's tests do not have on their class path (junit reaches it by reflection). */
    static class ServeWithoutServe {
        @RegisterExtension
        static final OutpostExtension outpost = OutpostExtension.serve(Path.of("app"));

        @Test
        void test() {}
    }

    static Events run(Class<?> c) {
        return EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(c))
                .execute()
                .testEvents();
    }

    /** The one failure among {@code events}: its throwable. */
    static Throwable onlyFailure(Events events) {
        events.assertStatistics(s -> s.failed(1));
        return events.failed().stream()
                .findFirst()
                .orElseThrow()
                .getPayload(TestExecutionResult.class)
                .orElseThrow()
                .getThrowable()
                .orElseThrow();
    }

    @Test
    void aFailureCarriesTheProxysStateAndLogLines() {
        Throwable failure = onlyFailure(run(FailingAfterARequest.class));
        assertThat(failure).hasMessage("the test's own failure");
        List<Throwable> suppressed = Arrays.asList(failure.getSuppressed());
        assertThat(suppressed).hasSize(1);
        String report = suppressed.get(0).getMessage();
        assertThat(report)
                .startsWith("Outpost GRIP proxy on " + "http://127.0.0.1:")
                .contains("channels with subscribers: ")
                .contains("log lines during this test:")
                .contains("GET 127.0.0.1:")
                .contains("/response?channel=lonely")
                .contains("holding response on [lonely]")
                .contains("publish: 1 item(s)");
    }

    @Test
    void anInstanceFieldIsRefusedWithTheFix() {
        Throwable failure = onlyFailure(run(NotStatic.class));
        assertThat(failure).hasMessageContaining("register it on a static field");
    }

    @Test
    void serveWithoutOutpostServeSaysWhatToAdd() {
        Throwable failure = onlyFailure(EngineTestKit.engine("junit-jupiter")
                .selectors(selectClass(ServeWithoutServe.class))
                .execute()
                .containerEvents());
        assertThat(failure)
                .isInstanceOf(ExtensionConfigurationException.class)
                .hasMessageContaining("needs dev.outpost:outpost-serve on the test class path");
    }
}
