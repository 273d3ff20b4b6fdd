package dev.outpost.serve;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.edge.cache.CacheSettings;
import dev.outpost.edge.config.FastlyManifest;
import dev.outpost.edge.config.FastlyTomlParser;
import dev.outpost.proxy.server.PortHolder;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How serve resolves Fanout settings and reports configuration mistakes (no program is loaded). */
class ServeConfigTest {
    @TempDir
    Path dir;

    static ServeOptions options(Path dir, boolean enable, String proxyPort, String publishPort, String path) {
        return ServeOptions.builder(dir)
                .address(new InetSocketAddress("127.0.0.1", 0))
                .pushpin(enable, proxyPort, publishPort, path)
                .build();
    }

    static FastlyManifest manifest(String toml) {
        return FastlyTomlParser.parse(toml, "fastly.toml", Path.of("."), k -> null);
    }

    @Test
    void fanoutIsOffWithoutTableOrFlag() throws Exception {
        ServeSession.Fanout f = ServeSession.resolveFanout(options(dir, false, null, null, null), manifest(""));
        assertThat(f).isEqualTo(new ServeSession.Fanout(false, null, 7677, 5561));
    }

    @Test
    void theTableEnablesFanoutWithItsPortsAndPath() throws Exception {
        FastlyManifest m = manifest("[local_server.pushpin]\nenable = true\nproxy_port = 8001\npublish_port = 8002\n"
                + "pushpin_path = \"/opt/pushpin\"\n");
        assertThat(ServeSession.resolveFanout(options(dir, false, null, null, null), m))
                .isEqualTo(new ServeSession.Fanout(true, "/opt/pushpin", 8001, 8002));
    }

    @Test
    void flagsWinOverTheTable() throws Exception {
        FastlyManifest m = manifest("[local_server.pushpin]\nproxy_port = 8001\npublish_port = 8002\n");
        assertThat(ServeSession.resolveFanout(options(dir, true, "9001", "9002", "/usr/bin/pushpin"), m))
                .isEqualTo(new ServeSession.Fanout(true, "/usr/bin/pushpin", 9001, 9002));
    }

    @Test
    void zeroPortsInTheTableMeanTheDefaults() throws Exception {
        FastlyManifest m = manifest("[local_server.pushpin]\nenable = true\nproxy_port = 0\npublish_port = 0\n");
        assertThat(ServeSession.resolveFanout(options(dir, false, null, null, null), m))
                .isEqualTo(new ServeSession.Fanout(true, null, 7677, 5561));
    }

    @Test
    void portFlagsAreCheckedAsTheFastlyCliChecksThem() {
        assertThatThrownBy(() -> ServeSession.resolveFanout(options(dir, true, "abc", null, null), null))
                .hasMessage("can't parse --pushpin-proxy-port value as a number: abc");
        assertThatThrownBy(() -> ServeSession.resolveFanout(options(dir, true, "0", null, null), null))
                .hasMessage("--pushpin-proxy-port must be a number between 1 and 65535 (got: 0)");
        assertThatThrownBy(() -> ServeSession.resolveFanout(options(dir, true, null, "70000", null), null))
                .hasMessage("--pushpin-publish-port must be a number between 1 and 65535 (got: 70000)");
    }

    @Test
    void wrongTypesAndRangesInTheTableNameKeyAndValue() {
        assertThatThrownBy(() -> manifest("[local_server.pushpin]\nenable = \"yes\"\n"))
                .hasMessage("fastly.toml: [local_server.pushpin] enable: \"yes\" (expected: true or false)");
        assertThatThrownBy(() -> manifest("[local_server.pushpin]\nproxy_port = 70000\n"))
                .hasMessage("fastly.toml: [local_server.pushpin] proxy_port: 70000"
                        + " (expected: an integer port 1-65535, or 0 for the default 7677)");
        assertThatThrownBy(() -> manifest("[local_server.pushpin]\npublish_port = \"5561\"\n"))
                .hasMessage("fastly.toml: [local_server.pushpin] publish_port: \"5561\""
                        + " (expected: an integer port 1-65535, or 0 for the default 5561)");
        assertThatThrownBy(() -> manifest("[local_server.pushpin]\npushpin_path = 3\n"))
                .hasMessage("fastly.toml: [local_server.pushpin] pushpin_path: 3"
                        + " (expected: a string: the path of a pushpin binary)");
    }

    @Test
    void addressesAreHostAndPort() throws Exception {
        assertThat(ServeOptions.parseAddress("127.0.0.1:7676")).isEqualTo(new InetSocketAddress("127.0.0.1", 7676));
        assertThat(ServeOptions.parseAddress("[::1]:80").getPort()).isEqualTo(80);
        assertThatThrownBy(() -> ServeOptions.parseAddress("7676"))
                .hasMessage("--addr: 7676 (expected: HOST:PORT, e.g. 127.0.0.1:7676)");
        assertThatThrownBy(() -> ServeOptions.parseAddress("localhost:http"))
                .hasMessage("--addr: localhost:http (expected: HOST:PORT, e.g. 127.0.0.1:7676)");
    }

    private ServeOptions cacheOptions(String size, boolean readthrough, boolean watch, boolean clear) {
        return ServeOptions.builder(dir)
                .address(new InetSocketAddress("127.0.0.1", 0))
                .watch(watch)
                .cache(size, readthrough, clear)
                .build();
    }

    @Test
    void cacheOptionsResolveToSettingsAndBadOnesAreExplained() throws Exception {
        assertThat(ServeSession.resolveCache(cacheOptions(null, true, false, false)))
                .isEqualTo(new CacheSettings(64L << 20, true));
        assertThat(ServeSession.resolveCache(cacheOptions("512k", false, true, true)))
                .isEqualTo(new CacheSettings(512L << 10, false));
        assertThat(ServeOptions.parseSize("--cache-size", "2MiB")).isEqualTo(2L << 20);
        assertThat(ServeOptions.parseSize("--cache-size", "1G")).isEqualTo(1L << 30);
        assertThat(ServeOptions.parseSize("--cache-size", "1000")).isEqualTo(1000);
        assertThatThrownBy(() -> ServeOptions.parseSize("--cache-size", "lots"))
                .hasMessage("--cache-size: lots (expected: a size such as 64m, 512k or 1g)");
        assertThatThrownBy(() -> ServeOptions.parseSize("--cache-size", "0"))
                .hasMessage("--cache-size: 0 (expected: a size such as 64m, 512k or 1g)");
        assertThatThrownBy(() -> ServeSession.resolveCache(cacheOptions("100000g", true, false, false)))
                .isInstanceOf(ServeException.class)
                .hasMessageContaining("--cache-size: 100000g is more than this JVM's heap")
                .hasMessageContaining("OUTPOST_JAVA_OPTS=-Xmx");
        assertThatThrownBy(() -> ServeSession.resolveCache(cacheOptions(null, true, false, true)))
                .isInstanceOf(ServeException.class)
                .hasMessage("--clear-cache-on-reload only applies to --watch reloads (expected: --watch as well)");
    }

    @Test
    void skipBuildAndWatchDoNotGoTogether() {
        ServeOptions o = ServeOptions.builder(dir)
                .address(new InetSocketAddress("127.0.0.1", 0))
                .skipBuild(true)
                .watch(true)
                .build();
        assertThatThrownBy(() -> ServeSession.start(o, quiet(), quiet()))
                .isInstanceOf(ServeException.class)
                .hasMessageContaining("--skip-build and --watch cannot be used together");
    }

    @Test
    void aMissingProgramWithoutBuildScriptIsReported() throws Exception {
        Files.writeString(dir.resolve("fastly.toml"), "name = \"x\"\n");
        assertThatThrownBy(() -> ServeSession.start(options(dir, false, null, null, null), quiet(), quiet()))
                .isInstanceOf(ServeException.class)
                .hasMessage(dir.resolve("bin/main.wasm") + ": not found, and " + dir.resolve("fastly.toml")
                        + " has no [scripts] build to make it (expected: a built program; add [scripts] build, or give"
                        + " --file WASM)");
    }

    @Test
    void aFolderWithoutManifestIsSaidToHaveNone() {
        assertThatThrownBy(() -> ServeSession.start(options(dir, false, null, null, null), quiet(), quiet()))
                .isInstanceOfSatisfying(
                        ServeException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessage("no fastly.toml in " + dir + " (expected: a Compute project folder with fastly.toml; give"
                        + " the folder, e.g. `outpost serve path/to/project`, a manifest with -C FILE, or a built"
                        + " program with --file WASM)");
    }

    @Test
    void aTakenAppAddressStopsServeBeforeTheBuildNamingWhoHoldsIt() throws Exception {
        Path marker = dir.resolve("built");
        Files.writeString(dir.resolve("fastly.toml"), "[scripts]\nbuild = \"touch '" + marker + "'\"\n");
        try (ServerSocket held = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ServeOptions o = ServeOptions.builder(dir)
                    .address(new InetSocketAddress("127.0.0.1", held.getLocalPort()))
                    .build();
            assertThatThrownBy(() -> ServeSession.start(o, quiet(), quiet()))
                    .isInstanceOfSatisfying(
                            ServeException.class, e -> assertThat(e.exitCode()).isEqualTo(1))
                    .hasMessage("cannot start the Compute server: cannot listen on 127.0.0.1:" + held.getLocalPort()
                            + " (the app's address): address already in use, held by "
                            + PortHolder.describe(held.getLocalPort()).orElseThrow()
                            + "; choose another with --addr");
        }
        assertThat(marker).doesNotExist();
    }

    @Test
    void bannerHintsOfTheManifestAreChecked() throws Exception {
        Files.writeString(dir.resolve("fastly.toml"), "[local_server.outpost]\ntry = \"/x\"\n");
        assertThatThrownBy(() -> BannerHints.read(dir.resolve("fastly.toml")))
                .isInstanceOfSatisfying(
                        ServeException.class, e -> assertThat(e.exitCode()).isEqualTo(2))
                .hasMessage(dir.resolve("fastly.toml") + ": [local_server.outpost] try: \"/x\" (expected: a list of"
                        + " paths, e.g. [\"/test/stream\"])");
        Files.writeString(
                dir.resolve("fastly.toml"), "[local_server.outpost]\ntry = [\"/a\", \"/b\"]\nchannel = \"news\"\n");
        assertThat(BannerHints.read(dir.resolve("fastly.toml")))
                .isEqualTo(new BannerHints(List.of("/a", "/b"), "news"));
        Files.writeString(dir.resolve("fastly.toml"), "name = \"x\"\n");
        assertThat(BannerHints.read(dir.resolve("fastly.toml"))).isEqualTo(BannerHints.NONE);
    }

    @Test
    void aFailingBuildIsReportedWithItsCommand() throws Exception {
        Files.writeString(dir.resolve("fastly.toml"), "[scripts]\nbuild = \"echo building; exit 3\"\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() ->
                        ServeSession.start(options(dir, false, null, null, null), new PrintStream(out, true), quiet()))
                .isInstanceOf(ServeException.class)
                .hasMessage("build failed: 'echo building; exit 3' exited with 3 (in " + dir + ")");
        assertThat(out.toString()).contains("Building the app in " + dir + ": echo building; exit 3", "building");
    }

    @Test
    void aManifestMistakeIsAConfigurationError() throws Exception {
        Files.writeString(dir.resolve("fastly.toml"), "[local_server.pushpin]\nenable = 1\n");
        assertThatThrownBy(() -> ServeSession.start(options(dir, false, null, null, null), quiet(), quiet()))
                .isInstanceOf(ServeException.class)
                .satisfies(e -> assertThat(((ServeException) e).exitCode()).isEqualTo(2))
                .hasMessageContaining("[local_server.pushpin] enable: 1 (expected: true or false)");
    }

    @Test
    void theGeneratedPushpinConfigNamesTheServicesOfItsVersion() {
        String legacy = ExternalPushpin.config("/tmp/x/internal.conf", Path.of("/tmp/x"), true, 7677, 5561);
        assertThat(legacy)
                .contains(
                        "services=condure,zurl,pushpin-proxy,pushpin-handler",
                        "http_port=127.0.0.1:7677",
                        "push_in_http_port=5561",
                        "push_in_spec=tcp://127.0.0.1:5562",
                        "push_in_sub_specs=tcp://127.0.0.1:5563",
                        "command_spec=tcp://127.0.0.1:5564",
                        "accept_pushpin_route=true",
                        "sig_iss=viceroy",
                        "sig_key=viceroy_dev_signing_key_dont_use_in_production",
                        "push_in_http_max_body_size=65536");
        String current = ExternalPushpin.config("{libdir}/internal.conf", Path.of("/tmp/x"), false, 7677, 5561);
        assertThat(current).contains("services=connmgr,proxy,handler", "include={libdir}/internal.conf");
        assertThat(ExternalPushpin.parseVersion("pushpin 1.36.0")).containsExactly(1, 36);
        assertThat(ExternalPushpin.parseVersion("pushpin 1.41.0")).containsExactly(1, 41);
    }

    private static PrintStream quiet() {
        return new PrintStream(new ByteArrayOutputStream(), true);
    }
}
