package dev.outpost.proxy.route;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@Timeout(30)
class RoutesWatcherTest {
    private static final Duration FAST = Duration.ofMillis(20);

    @TempDir
    Path dir;

    private Path file;
    private final List<RouteTable> changes = new CopyOnWriteArrayList<>();
    private ListAppender<ILoggingEvent> logs;
    private Logger logger;

    @BeforeEach
    void setUp() {
        file = dir.resolve("routes");
        logger = (Logger) LoggerFactory.getLogger(RoutesWatcher.class);
        logs = new ListAppender<>();
        logs.start();
        logger.addAppender(logs);
        // what these tests provoke (a bad file, a failing listener) is asserted here, not printed
        logger.setAdditive(false);
    }

    @AfterEach
    void tearDown() {
        logger.detachAppender(logs);
        logger.setAdditive(true);
    }

    /** Replaces the file atomically, as deploy tools and most editors do. */
    private void replace(String content) throws Exception {
        Path tmp = Files.createTempFile(dir, "routes", ".tmp");
        Files.writeString(tmp, content);
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static String firstHost(RouteTable t) {
        return t.routes().getFirst().targets().getFirst().host();
    }

    private List<String> messages() {
        return logs.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Test
    void initialLoadAndReloadOnChange() throws Exception {
        Files.writeString(file, "* one:1\n");
        try (RoutesWatcher w = RoutesWatcher.start(file, FAST, null, changes::add)) {
            assertThat(firstHost(w.current())).isEqualTo("one");
            assertThat(changes).isEmpty();

            replace("* two:2\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> !changes.isEmpty());
            assertThat(changes).hasSize(1);
            assertThat(firstHost(changes.getLast())).isEqualTo("two");
            assertThat(w.current()).isSameAs(changes.getLast());
        }
    }

    @Test
    void sameSizeRewriteWithUnchangedMtimeIsSeen() throws Exception {
        Files.writeString(file, "* aaa:1\n");
        FileTime mtime = Files.getLastModifiedTime(file);
        try (RoutesWatcher w = RoutesWatcher.start(file, FAST, null, changes::add)) {
            Files.writeString(file, "* bbb:1\n");
            Files.setLastModifiedTime(file, mtime);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> firstHost(w.current()).equals("bbb"));
        }
    }

    @Test
    void badFileKeepsTheOldTableAndLogsFileLineAndReason() throws Exception {
        Files.writeString(file, "* one:1\n");
        try (RoutesWatcher w = RoutesWatcher.start(file, FAST, null, changes::add)) {
            RouteTable before = w.current();
            replace("* one:1\n*,proto=tcp two:2\n");
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> messages().stream().anyMatch(m -> m.contains("proto must be http or ws")));
            assertThat(messages())
                    .contains(file + ":2: proto must be http or ws (proto=tcp); keeping the previous routes");
            assertThat(w.current()).isSameAs(before);
            assertThat(changes).isEmpty();

            // the error is logged once, not on every poll
            int logged = logs.list.size();
            replace("* three:3\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> !changes.isEmpty());
            assertThat(firstHost(w.current())).isEqualTo("three");
            assertThat(messages().subList(0, logged).stream().filter(m -> m.contains("proto must be")))
                    .hasSize(1);
        }
    }

    @Test
    void atomicReplaceAndTemporaryRemovalAreHandled() throws Exception {
        Files.writeString(file, "* one:1\n");
        try (RoutesWatcher w = RoutesWatcher.start(file, FAST, null, changes::add)) {
            Files.delete(file);
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> messages().stream().anyMatch(m -> m.contains("routes file is gone")));
            assertThat(firstHost(w.current())).isEqualTo("one");

            Path tmp = dir.resolve("routes.tmp");
            Files.writeString(tmp, "* two:2\n");
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(10)).until(() -> !changes.isEmpty());
            assertThat(firstHost(w.current())).isEqualTo("two");
        }
    }

    @Test
    void unchangedContentDoesNotNotify() throws Exception {
        Files.writeString(file, "* one:1\n");
        try (RoutesWatcher w = RoutesWatcher.start(file, FAST, null, changes::add)) {
            replace("* one:1\n");
            Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis() + 5000));
            // a real change afterwards proves the watcher polled past the touch
            replace("* two:2\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> !changes.isEmpty());
            assertThat(changes).hasSize(1);
        }
    }

    @Test
    void inPlaceRewriteSettlesOnTheFinalContent() throws Exception {
        Files.writeString(file, "* one:1\n");
        try (RoutesWatcher w = RoutesWatcher.start(file, FAST, null, changes::add)) {
            // truncate, then write in two steps: the half-written states must not stick
            Files.writeString(file, "");
            Files.writeString(file, "* tw", StandardOpenOption.APPEND);
            Files.writeString(file, "o:2\n", StandardOpenOption.APPEND);
            await().atMost(Duration.ofSeconds(10))
                    .until(() ->
                            !w.current().isEmpty() && firstHost(w.current()).equals("two"));
            assertThat(firstHost(changes.getLast())).isEqualTo("two");
        }
    }

    @Test
    void startFailsOnABadOrMissingFile() throws Exception {
        Files.writeString(file, "# routes\n* nowhere\n");
        assertThatThrownBy(() -> RoutesWatcher.start(file, changes::add))
                .isInstanceOf(RoutesException.class)
                .hasMessage(file + ":2: target must be host:port, [ipv6]:port or test (nowhere)");
        Path missing = dir.resolve("missing");
        assertThatThrownBy(() -> RoutesWatcher.start(missing, changes::add))
                .isInstanceOf(RoutesException.class)
                .hasMessageStartingWith(missing + ": cannot read (no such file)");
        await().atMost(Duration.ofSeconds(10)).until(() -> watcherThreads() == 0);
    }

    @Test
    void closeStopsTheOwnThread() throws Exception {
        Files.writeString(file, "* one:1\n");
        RoutesWatcher w = RoutesWatcher.start(file, FAST, null, changes::add);
        assertThat(watcherThreads()).isPositive();
        w.close();
        w.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> watcherThreads() == 0);
        Files.writeString(file, "* two:2\n");
        assertThat(changes).isEmpty();
    }

    @Test
    void givenExecutorIsUsedAndNotShutDown() throws Exception {
        Files.writeString(file, "* one:1\n");
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor();
        try {
            try (RoutesWatcher w = RoutesWatcher.start(file, FAST, ex, changes::add)) {
                replace("* two:2\n");
                await().atMost(Duration.ofSeconds(10)).until(() -> !changes.isEmpty());
                assertThat(firstHost(w.current())).isEqualTo("two");
            }
            assertThat(ex.isShutdown()).isFalse();
        } finally {
            ex.shutdownNow();
            assertThat(ex.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void aFailingListenerDoesNotStopPolling() throws Exception {
        Files.writeString(file, "* one:1\n");
        try (RoutesWatcher w = RoutesWatcher.start(file, FAST, null, t -> {
            changes.add(t);
            if (changes.size() == 1) {
                throw new IllegalStateException("boom");
            }
        })) {
            replace("* two:2\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> changes.size() == 1);
            replace("* three:3\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> changes.size() == 2);
            assertThat(firstHost(w.current())).isEqualTo("three");
            assertThat(messages()).contains(file + ": routes reload failed");
        }
    }

    @Test
    void notesAndDuplicatesAreLogged() throws Exception {
        Files.writeString(file, "*,aco a:1\n*,aco b:1\n");
        try (RoutesWatcher w = RoutesWatcher.start(file, FAST, null, changes::add)) {
            assertThat(messages())
                    .contains(
                            file + ":1: aco is not supported, ignored",
                            file + ":2: skipping duplicate condition (same as " + file + ":1)");
            assertThat(w.current().routes()).hasSize(1);
        }
    }

    private static long watcherThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals("outpost-routes-watcher") && t.isAlive())
                .count();
    }
}
