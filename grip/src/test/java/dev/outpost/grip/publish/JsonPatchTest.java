package dev.outpost.grip.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.grip.internal.GripJson;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonPatchTest {

    private static String apply(String doc, String patch) throws Exception {
        JsonNode p = GripJson.MAPPER.readTree(patch);
        return new String(JsonPatch.apply(doc.getBytes(StandardCharsets.UTF_8), p), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"a\":1}|[{\"op\":\"add\",\"path\":\"/b\",\"value\":2}]|{\"a\":1,\"b\":2}",
                "{\"a\":[1,3]}|[{\"op\":\"add\",\"path\":\"/a/1\",\"value\":2}]|{\"a\":[1,2,3]}",
                "{\"a\":[1]}|[{\"op\":\"add\",\"path\":\"/a/-\",\"value\":2}]|{\"a\":[1,2]}",
                "{\"a\":1,\"b\":2}|[{\"op\":\"remove\",\"path\":\"/a\"}]|{\"b\":2}",
                "{\"a\":1}|[{\"op\":\"replace\",\"path\":\"/a\",\"value\":[]}]|{\"a\":[]}",
                "{\"a\":{\"b\":1}}|[{\"op\":\"move\",\"from\":\"/a/b\",\"path\":\"/c\"}]|{\"a\":{},\"c\":1}",
                "{\"a\":1}|[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b\"}]|{\"a\":1,\"b\":1}",
                "{\"a\":1}|[{\"op\":\"test\",\"path\":\"/a\",\"value\":1}]|{\"a\":1}",
                "{\"a/b\":1,\"m~n\":2}|[{\"op\":\"remove\",\"path\":\"/a~1b\"},{\"op\":\"remove\",\"path\":\"/m~0n\"}]|{}",
                "{}|[{\"op\":\"replace\",\"path\":\"\",\"value\":[1]}]|[1]",
            })
    void operations(String doc, String patch, String expected) throws Exception {
        assertThat(apply(doc, patch)).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "{\"a\":1}|[{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]|body-patch[0]: test failed at /a",
                "{\"a\":1}|[{\"op\":\"remove\",\"path\":\"/b\"}]|body-patch[0]: path [b] does not exist",
                "{\"a\":1}|[{\"op\":\"jump\",\"path\":\"/a\"}]|body-patch[0]: op 'jump' (expected: add, remove, replace, move, copy or test)",
                "{\"a\":[]}|[{\"op\":\"add\",\"path\":\"/a/01\",\"value\":1}]|body-patch[0]: array index '01' (expected: a non-negative integer)",
                "{\"a\":1}|[{\"op\":\"add\",\"path\":\"a\",\"value\":1}]|body-patch[0]: pointer 'a' (expected: empty or starting with '/')",
                "not json|[]|body-patch: held body is not JSON (at line 1, column 1)",
            })
    void failures(String doc, String patch, String message) {
        assertThatThrownBy(() -> apply(doc, patch))
                .isInstanceOf(JsonPatch.PatchException.class)
                .hasMessage(message);
    }

    /** Mutated documents and patches: a result or a PatchException, nothing else. */
    @Test
    void fuzz() {
        String[] docs = {"{\"a\":[1,{\"b\":null}],\"c\":\"d\"}", "[]", "1", "{}"};
        String[] patches = {
            "[{\"op\":\"add\",\"path\":\"/a/0\",\"value\":{}}]",
            "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/1\"}]",
            "[{\"op\":\"remove\",\"path\":\"\"},{\"op\":\"copy\",\"from\":\"/c\",\"path\":\"/-\"}]",
            "[{\"op\":\"replace\",\"path\":\"/a/1/b\",\"value\":[0]},{\"op\":\"test\",\"path\":\"/c\",\"value\":\"d\"}]"
        };
        String junk = "{}[]\":,/~01-abop";
        Random r = new Random(11);
        for (int i = 0; i < 5000; i++) {
            String doc = mutate(r, docs[r.nextInt(docs.length)], junk);
            String patch = mutate(r, patches[r.nextInt(patches.length)], junk);
            JsonNode p;
            try {
                p = GripJson.MAPPER.readTree(patch);
            } catch (Exception e) {
                continue;
            }
            try {
                JsonPatch.apply(doc.getBytes(StandardCharsets.UTF_8), p);
            } catch (JsonPatch.PatchException e) {
                assertThat(e.getMessage()).startsWith("body-patch");
            }
        }
    }

    /** Each copy of an array into itself doubled the body: 40 of them (1.7 KB of patch) ran out of memory. */
    @Test
    void copiesCannotGrowTheBodyWithoutBound() throws Exception {
        StringBuilder patch = new StringBuilder("[");
        for (int i = 0; i < 40; i++) {
            patch.append(i == 0 ? "" : ",").append("{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/a/-\"}");
        }
        JsonNode p = GripJson.MAPPER.readTree(patch.append("]").toString());
        byte[] body = "{\"a\":[\"0123456789abcdef\"]}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> JsonPatch.apply(body, p))
                .isInstanceOf(JsonPatch.PatchException.class)
                .hasMessageStartingWith("body-patch[")
                .hasMessageContaining("would exceed");
        // nesting: each copy also went one level deeper, past what the JSON reader itself accepts
        assertThatThrownBy(() -> apply(
                        "{}",
                        "[" + "{\"op\":\"copy\",\"from\":\"\",\"path\":\"/a\"},".repeat(120)
                                + "{\"op\":\"test\",\"path\":\"\",\"value\":1}]"))
                .hasMessageContaining("levels of nesting");
        // a modest copy is still fine
        assertThat(apply("{\"a\":[1,2,3]}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b\"}]"))
                .isEqualTo("{\"a\":[1,2,3],\"b\":[1,2,3]}");
    }

    private static String mutate(Random r, String s, String junk) {
        StringBuilder sb = new StringBuilder(s);
        for (int n = r.nextInt(4); n > 0 && sb.length() > 0; n--) {
            int at = r.nextInt(sb.length());
            if (r.nextBoolean()) {
                sb.setCharAt(at, junk.charAt(r.nextInt(junk.length())));
            } else {
                sb.insert(at, junk.charAt(r.nextInt(junk.length())));
            }
        }
        return sb.toString();
    }
}
