package dev.outpost.grip.internal;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;

/** The JSON reader shared by the grip parsers: strict JSON, bounded nesting. Not API. */
public final class GripJson {
    /** Strict: no trailing tokens, no NaN, duplicate keys allowed (last wins, as Qt's parser). */
    public static final JsonMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(
                            StreamReadConstraints.builder().maxNestingDepth(100).build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    /** " (at line L, column C)" for a parse error that knows its location, else "". */
    public static String where(Exception e) {
        if (e instanceof JsonProcessingException j
                && j.getLocation() != null
                && j.getLocation().getLineNr() > 0) {
            return " (at line " + j.getLocation().getLineNr() + ", column "
                    + j.getLocation().getColumnNr() + ")";
        }
        return "";
    }

    private GripJson() {}
}
