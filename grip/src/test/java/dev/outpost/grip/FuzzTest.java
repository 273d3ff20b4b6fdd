package dev.outpost.grip;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.grip.control.ControlMessageException;
import dev.outpost.grip.control.ControlMessageParser;
import dev.outpost.grip.instruct.GripInstructException;
import dev.outpost.grip.instruct.GripInstructParser;
import dev.outpost.grip.publish.PublishFormatException;
import dev.outpost.grip.publish.PublishParser;
import dev.outpost.grip.sig.GripSig;
import dev.outpost.grip.wsovh.WsEvent;
import dev.outpost.grip.wsovh.WsEventCodec;
import dev.outpost.grip.wsovh.WsEventException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Junk and mutated inputs: every parser either returns a value or throws its declared exception, never anything
 * else. Seeds are fixed so a failure reproduces.
 */
class FuzzTest {
    private static final int ROUNDS = 3000;
    private static final String JUNK = "{}[]\":,;=\\ <>\r\nabcTEXT019";

    private static final List<String> JSON_SEEDS = List.of(
            "{\"items\": [{\"channel\": \"c\", \"id\": \"1\", \"prev-id\": \"0\", \"meta\": {\"a\": \"b\"}, \"no-seq\": true,"
                    + " \"formats\": {\"http-response\": {\"code\": 200, \"headers\": [[\"a\", \"b\"]], \"body\": \"x\"},"
                    + " \"http-stream\": {\"content-bin\": \"AAE=\"}, \"ws-message\": {\"action\": \"close\", \"code\": 1000}}}]}",
            "{\"items\": [{\"channel\": \"c\", \"http-response\": {\"body-patch\": [{\"op\": \"add\", \"path\": \"/a\", \"value\": 1}]}}]}",
            "{\"hold\": {\"mode\": \"stream\", \"channels\": [{\"name\": \"a\", \"filters\": [\"x\"]}], \"timeout\": 3,"
                    + " \"keep-alive\": {\"content\": \"k\"}, \"meta\": {\"u\": \"v\"}}, \"response\": {\"code\": 200, \"body-bin\": \"eA==\"}}",
            "c:{\"type\": \"keep-alive\", \"content-bin\": \"AAE=\", \"message-type\": \"binary\", \"timeout\": 5, \"mode\": \"interval\"}",
            "{\"type\": \"subscribe\", \"channel\": \"a\", \"filters\": [\"skip-self\"]}");

    private static final List<String> HEADER_SEEDS = List.of(
            "a; prev-id=\"x\\\"y\"; filter=skip-self, b",
            ":\\n\\n; format=cstring; timeout=20; mode=interval",
            "</next?a=1>; rel=next; timeout=10, </g>; rel=gone",
            "404 Not Found",
            "user=\"a, b\", x=y",
            "response");

    private static final String[] HEADER_NAMES = {
        "Grip-Hold",
        "Grip-Channel",
        "Grip-Timeout",
        "Grip-Keep-Alive",
        "Grip-Status",
        "Grip-Link",
        "Grip-Set-Meta",
        "Grip-Expose-Headers",
        "Content-Type"
    };

    @Test
    void publishParser() {
        Random r = new Random(1);
        for (int i = 0; i < ROUNDS; i++) {
            byte[] in = input(r, JSON_SEEDS);
            try {
                PublishParser.parse(in);
            } catch (PublishFormatException e) {
                assertThat(e.getMessage())
                        .satisfiesAnyOf(
                                m -> assertThat(m).isEqualTo("Body is not valid JSON."),
                                m -> assertThat(m).startsWith("Invalid format"));
            }
        }
    }

    @Test
    void controlParser() {
        Random r = new Random(2);
        for (int i = 0; i < ROUNDS; i++) {
            try {
                ControlMessageParser.parse(input(r, JSON_SEEDS));
            } catch (ControlMessageException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void instructJsonBody() {
        Random r = new Random(3);
        List<Map.Entry<String, String>> ct = List.of(Map.entry("Content-Type", "application/grip-instruct"));
        for (int i = 0; i < ROUNDS; i++) {
            try {
                GripInstructParser.parse(r.nextInt(10) == 0 ? 500 : 200, ct, input(r, JSON_SEEDS));
            } catch (GripInstructException e) {
                assertThat(e.getMessage()).startsWith("application/grip-instruct: ");
            }
        }
    }

    @Test
    void instructHeaders() {
        Random r = new Random(4);
        for (int i = 0; i < ROUNDS; i++) {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            int n = 1 + r.nextInt(3);
            for (int k = 0; k < n; k++) {
                String name = HEADER_NAMES[r.nextInt(HEADER_NAMES.length)];
                String value = new String(input(r, HEADER_SEEDS), StandardCharsets.ISO_8859_1);
                headers.add(Map.entry(name, value));
            }
            try {
                GripInstructParser.parse(200, headers, input(r, JSON_SEEDS));
            } catch (GripInstructException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void wsEventDecoder() {
        Random r = new Random(5);
        List<String> seeds = List.of(new String(
                WsEventCodec.encode(List.of(
                        new WsEvent.Open(),
                        new WsEvent.Text("hello"),
                        new WsEvent.Binary(new byte[] {0, 1, 2}),
                        new WsEvent.Ping(new byte[0]),
                        new WsEvent.Close(1000, "bye"),
                        new WsEvent.Disconnect())),
                StandardCharsets.ISO_8859_1));
        for (int i = 0; i < ROUNDS; i++) {
            try {
                WsEventCodec.decode(input(r, seeds));
            } catch (WsEventException e) {
                assertThat(e.getMessage()).isNotBlank();
            }
        }
    }

    @Test
    void wsEventRoundTrip() throws Exception {
        Random r = new Random(6);
        for (int i = 0; i < 500; i++) {
            List<WsEvent> events = new ArrayList<>();
            int n = r.nextInt(6);
            for (int k = 0; k < n; k++) {
                byte[] c = new byte[r.nextInt(40)];
                r.nextBytes(c);
                events.add(
                        switch (r.nextInt(7)) {
                            case 0 -> new WsEvent.Open();
                            case 1 -> new WsEvent.Text(c);
                            case 2 -> new WsEvent.Binary(c);
                            case 3 -> new WsEvent.Ping(c);
                            case 4 -> new WsEvent.Pong(c);
                            case 5 ->
                                r.nextBoolean()
                                        ? new WsEvent.Close(-1, "")
                                        : new WsEvent.Close(r.nextInt(65536), "r" + k);
                            default -> new WsEvent.Disconnect();
                        });
            }
            assertThat(WsEventCodec.decode(WsEventCodec.encode(events))).isEqualTo(events);
        }
    }

    @Test
    void gripSigVerify() {
        Random r = new Random(7);
        byte[] key = "k".getBytes(StandardCharsets.UTF_8);
        List<String> seeds = List.of(GripSig.sign("pushpin", key, Instant.EPOCH));
        for (int i = 0; i < ROUNDS; i++) {
            String token = new String(input(r, seeds), StandardCharsets.ISO_8859_1);
            assertThat(GripSig.verify(token, key, Instant.EPOCH)).isIn(true, false);
        }
    }

    /** Half pure junk, half a seed with a few bytes flipped, inserted, cut or duplicated. */
    private static byte[] input(Random r, List<String> seeds) {
        if (r.nextBoolean()) {
            byte[] b = new byte[r.nextInt(64)];
            for (int i = 0; i < b.length; i++) {
                b[i] = (byte) (r.nextInt(4) == 0 ? r.nextInt(256) : JUNK.charAt(r.nextInt(JUNK.length())));
            }
            return b;
        }
        byte[] b = seeds.get(r.nextInt(seeds.size())).getBytes(StandardCharsets.UTF_8);
        int edits = 1 + r.nextInt(4);
        for (int e = 0; e < edits && b.length > 0; e++) {
            int at = r.nextInt(b.length);
            switch (r.nextInt(4)) {
                case 0 -> b[at] = (byte) r.nextInt(256);
                case 1 -> b = Arrays.copyOf(b, at);
                case 2 -> {
                    byte[] nb = new byte[b.length + 1];
                    System.arraycopy(b, 0, nb, 0, at);
                    nb[at] = (byte) JUNK.charAt(r.nextInt(JUNK.length()));
                    System.arraycopy(b, at, nb, at + 1, b.length - at);
                    b = nb;
                }
                default -> {
                    int len = Math.min(b.length - at, r.nextInt(8));
                    byte[] nb = new byte[b.length + len];
                    System.arraycopy(b, 0, nb, 0, at + len);
                    System.arraycopy(b, at, nb, at + len, b.length - at);
                    b = nb;
                }
            }
        }
        return b;
    }
}
