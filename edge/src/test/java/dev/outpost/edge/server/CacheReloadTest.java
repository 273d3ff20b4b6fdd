package dev.outpost.edge.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.edge.cache.CacheKey;
import dev.outpost.edge.cache.CacheStore;
import dev.outpost.edge.cache.CacheWrite;
import dev.outpost.edge.cache.CollectedBody;
import dev.outpost.edge.config.LocalServerConfig;
import dev.outpost.edge.sandbox.HeaderList;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The app's cache outlives a program reload, unless the reload asks for an empty one. */
@Timeout(120)
class CacheReloadTest {
    /** The smallest program: {@code (module (func (export "_start")))}, so that loading costs nothing. */
    private static final byte[] EMPTY_PROGRAM = {
        0,
        'a',
        's',
        'm',
        1,
        0,
        0,
        0, // magic, version
        1,
        4,
        1,
        0x60,
        0,
        0, // type section: () -> ()
        3,
        2,
        1,
        0, // function section: one function of type 0
        7,
        10,
        1,
        6,
        '_',
        's',
        't',
        'a',
        'r',
        't',
        0,
        0, // export "_start"
        10,
        4,
        1,
        2,
        0,
        0x0b // code: an empty body
    };

    @TempDir
    Path dir;

    @Test
    void aReloadKeepsTheCacheUnlessAskedToEmptyIt() throws Exception {
        Path program = Files.write(dir.resolve("empty.wasm"), EMPTY_PROGRAM);
        try (EdgeServer server = new EdgeServer(EdgeConfig.of(program)
                        .withAddress(new InetSocketAddress("127.0.0.1", 0))
                        .withLogSink((endpoint, message) -> {}))
                .start()) {
            CacheStore store = server.cache().store();
            CacheKey key = CacheKey.core(new byte[] {7});
            store.insert(
                    key,
                    new HeaderList(),
                    CacheWrite.ofMaxAge(TimeUnit.MINUTES.toNanos(5)),
                    CollectedBody.of(new byte[] {1, 2, 3}));
            server.reload(program, LocalServerConfig.empty());
            assertThat(server.cache().store()).isSameAs(store);
            assertThat(store.lookup(key, new HeaderList()).found()).isNotNull();
            server.reload(program, LocalServerConfig.empty(), true);
            assertThat(store.lookup(key, new HeaderList()).found()).isNull();
            assertThat(store.usedBytes()).isZero();
        }
    }
}
