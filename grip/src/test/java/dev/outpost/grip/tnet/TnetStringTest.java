package dev.outpost.grip.tnet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TnetStringTest {
    static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    static String s(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    /** One framed value, sized by hand as a publisher would. */
    static String t(String data, char type) {
        return b(data).length + ":" + data + type;
    }

    @Test
    void readsEveryType() throws Exception {
        assertThat((byte[]) TnetString.parse(b("5:hello,"))).isEqualTo(b("hello"));
        assertThat(TnetString.parse(b("2:42#"))).isEqualTo(42L);
        assertThat(TnetString.parse(b("2:-7#"))).isEqualTo(-7L);
        assertThat(TnetString.parse(b("3:1.5^"))).isEqualTo(1.5);
        assertThat(TnetString.parse(b("4:true!"))).isEqualTo(true);
        assertThat(TnetString.parse(b("5:false!"))).isEqualTo(false);
        assertThat(TnetString.parse(b("0:~"))).isNull();
        assertThat(TnetString.parse(b("0:]"))).isEqualTo(List.of());
        assertThat(TnetString.parse(b("0:}"))).isEqualTo(Map.of());
    }

    @Test
    void readsNestedMapsInWireOrder() throws Exception {
        // what Debian's pushpin-publish sends (key order is whatever its map yields)
        String content = t("7:content," + t("hi\n", ','), '}');
        String formats = t("11:http-stream," + content, '}');
        Object v = TnetString.parse(b(t("7:channel,4:test,7:formats," + formats, '}')));
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) v;
        assertThat(m.keySet()).containsExactly("channel", "formats");
        assertThat(s((byte[]) m.get("channel"))).isEqualTo("test");
        @SuppressWarnings("unchecked")
        Map<String, Object> stream = (Map<String, Object>) ((Map<String, Object>) m.get("formats")).get("http-stream");
        assertThat(s((byte[]) stream.get("content"))).isEqualTo("hi\n");
    }

    @Test
    void listsMayHoldNull() throws Exception {
        assertThat(TnetString.parse(b("10:0:~1:1#0:~]"))).isEqualTo(Arrays.asList(null, 1L, null));
    }

    @Test
    void writesWhatItReads() throws Exception {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", "x");
        m.put("n", 3);
        m.put("big", Long.MAX_VALUE);
        m.put("f", 2.5);
        m.put("ok", true);
        m.put("none", null);
        m.put("list", List.of(b("a"), 1L));
        m.put("bytes", new byte[] {(byte) 0xff, 0});
        byte[] wire = TnetString.write(m);
        @SuppressWarnings("unchecked")
        Map<String, Object> back = (Map<String, Object>) TnetString.parse(wire);
        assertThat(back.keySet()).containsExactlyElementsOf(m.keySet());
        assertThat(s((byte[]) back.get("id"))).isEqualTo("x");
        assertThat(back.get("n")).isEqualTo(3L);
        assertThat(back.get("big")).isEqualTo(Long.MAX_VALUE);
        assertThat(back.get("f")).isEqualTo(2.5);
        assertThat(back.get("ok")).isEqualTo(true);
        assertThat(back.containsKey("none")).isTrue();
        assertThat(back.get("none")).isNull();
        assertThat((byte[]) back.get("bytes")).containsExactly((byte) 0xff, 0);
        assertThat(s(TnetString.write(Map.of("a", "b")))).isEqualTo("8:1:a,1:b,}");
    }

    @Test
    void binarySafe() throws Exception {
        byte[] data = new byte[256];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) i;
        }
        assertThat((byte[]) TnetString.parse(TnetString.write(data))).isEqualTo(data);
    }

    @Test
    void refusesWhatIsNotATnetstringAndSaysWhere() {
        assertThatThrownBy(() -> TnetString.parse(b(""))).hasMessageContaining("missing size");
        assertThatThrownBy(() -> TnetString.parse(b("hello"))).hasMessageContaining("bad size");
        assertThatThrownBy(() -> TnetString.parse(b("10:abc,"))).hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> TnetString.parse(b("3:abc?"))).hasMessageContaining("unknown type '?'");
        assertThatThrownBy(() -> TnetString.parse(b("2:4x#"))).hasMessageContaining("bad integer");
        assertThatThrownBy(() -> TnetString.parse(b("3:yes!"))).hasMessageContaining("bad boolean");
        assertThatThrownBy(() -> TnetString.parse(b("1:x~"))).hasMessageContaining("null with data");
        assertThatThrownBy(() -> TnetString.parse(b("4:1:a,}"))).hasMessageContaining("map key without a value");
        assertThatThrownBy(() -> TnetString.parse(b("8:1:1#1:a,}"))).hasMessageContaining("map key is not");
        assertThatThrownBy(() -> TnetString.parse(b("1:a,junk"))).hasMessageContaining("unexpected bytes after");
        assertThatThrownBy(() -> TnetString.parse(b("99999999999:a,"))).hasMessageContaining("bad size");
        assertThatThrownBy(() -> TnetString.parse(b("5:1:a,}"))).hasMessageContaining("offset");
    }

    @Test
    void refusesDeepNesting() {
        String v = "0:]";
        for (int i = 0; i < TnetString.MAX_DEPTH + 2; i++) {
            v = v.length() + ":" + v + "]";
        }
        String deep = v;
        assertThatThrownBy(() -> TnetString.parse(b(deep))).hasMessageContaining("nested deeper");
    }

    @Test
    void offsetSkipsAPrefix() throws Exception {
        byte[] frame = b("T2:ab,");
        assertThat((byte[]) TnetString.parse(frame, 1, frame.length - 1)).isEqualTo(b("ab"));
    }
}
