package dev.outpost.proxy.delivery;

import dev.outpost.proxy.OutpostProxy;
import dev.outpost.proxy.support.ProxyHarness;
import dev.outpost.proxy.support.Publisher;
import dev.outpost.testkit.TestOrigin;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * What the delivery tests share: a test origin per test, the proxy a test starts in front of it ({@link #proxy}, closed
 * after the test), and publishing through the publish API.
 */
abstract class DeliveryFixture {
    TestOrigin origin;
    OutpostProxy proxy;

    @BeforeEach
    void startOrigin() throws Exception {
        origin = new TestOrigin();
    }

    @AfterEach
    void stop() {
        if (proxy != null) {
            proxy.close();
        }
        origin.close();
    }

    void hold(String path, String mode, String channel, String body, String... extra) {
        origin.hold(path, mode, channel, body, extra);
    }

    void awaitSubscribers(String channel, int n) {
        ProxyHarness.awaitSubscribers(proxy, channel, n);
    }

    void publish(String json) throws Exception {
        Publisher.publishItems(proxy.publishPort(), json);
    }

    static String stream(String channel, String content, String extra) {
        return Publisher.streamItem(channel, content, extra);
    }
}
