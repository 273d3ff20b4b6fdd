package dev.outpost.proxy.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ZmqInputsTest {
    private static ZmqInputs of(String conf) throws ConfigException {
        return ZmqInputs.of(
                PushpinConf.parse(conf, Path.of("/srv/pushpin.conf"), w -> {}).build());
    }

    @Test
    void theHandlersInputsAreNamedInOneLineInTheirOrder() throws Exception {
        ZmqInputs z = of("[handler]\ncommand_spec=tcp://127.0.0.1:5563\npush_in_sub_spec=ipc://{rundir}/sub\n"
                + "push_in_spec=tcp://127.0.0.1:5560\n[global]\nrundir=/run/pp\n");
        assertThat(z.entries())
                .containsExactly(
                        "push_in_spec=tcp://127.0.0.1:5560",
                        "push_in_sub_spec=ipc:///run/pp/sub",
                        "command_spec=tcp://127.0.0.1:5563");
        assertThat(z.notServedYet())
                .startsWith("ZeroMQ inputs are not served yet (push_in_spec=tcp://127.0.0.1:5560, ")
                .endsWith("publish over HTTP instead (POST /publish/ on push_in_http_port)");
    }

    @Test
    void noneConfiguredNoLine() throws Exception {
        ZmqInputs z = of("[handler]\npush_in_spec=\npush_in_http_port=5561\n[proxy]\ncommand_spec=ipc://x\n");
        assertThat(z.isEmpty()).isTrue();
        assertThat(z.notServedYet()).isNull();
    }
}
