package dev.wharf.layers.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.image.ExecutionConfig;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CanonicalJsonTest {
    private final CanonicalJson json = CanonicalJson.create();

    @Test
    void write_escapesStringsExactlyLikeGoJsonMarshal() {
        String value = "\u0001\b\f\n\r\t\"\\<>&\u2028\u2029/é😀\u007f";
        ExecutionConfig config = ExecutionConfig.builder().labels(Map.of("k", value)).build();
        String expected = "{\"Labels\":{\"k\":\"\\u0001\\b\\f\\n\\r\\t\\\"\\\\\\u003c\\u003e\\u0026\\u2028\\u2029/é😀"
                + "\u007f\"}}";
        assertEquals(expected, new String(json.write(config), StandardCharsets.UTF_8));
    }

    @Test
    void read_thenWrite_keepsEscapedTextByteIdentical() throws LayerException {
        String text = "{\"Labels\":{\"k\":\"\\u003cscript\\u003e \\u0026 \\u001f é\"}}";
        ExecutionConfig config = json.read(text.getBytes(StandardCharsets.UTF_8), ExecutionConfig.class, "test");
        assertEquals("<script> & \u001f é", config.labels().get("k"));
        assertEquals(text, new String(json.write(config), StandardCharsets.UTF_8));
    }

    @Test
    void goTime_formatsLikeRfc3339Nano() {
        assertEquals("2024-01-02T03:04:05Z", GoTime.format(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 0, ZoneOffset.UTC)));
        assertEquals("2024-01-02T03:04:05.12Z",
                GoTime.format(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 120_000_000, ZoneOffset.UTC)));
        assertEquals("2024-01-02T03:04:05.000000001-05:30",
                GoTime.format(OffsetDateTime.of(2024, 1, 2, 3, 4, 5, 1, ZoneOffset.ofHoursMinutes(-5, -30))));
        assertEquals("0001-01-01T00:00:00Z", GoTime.format(GoTime.parse("0001-01-01T00:00:00Z")));
        assertEquals("0005-12-31T23:59:59.0000001+14:00",
                GoTime.format(OffsetDateTime.of(5, 12, 31, 23, 59, 59, 100, ZoneOffset.ofHours(14))));
        assertEquals("9999-10-09T08:07:06.123456789-00:30",
                GoTime.format(OffsetDateTime.of(9999, 10, 9, 8, 7, 6, 123_456_789, ZoneOffset.ofHoursMinutes(0, -30))));
    }

    @Test
    void goTime_parseRejectsNonRfc3339() {
        assertThrows(IllegalArgumentException.class, () -> GoTime.parse("2024-01-02 03:04:05"));
        assertThrows(IllegalArgumentException.class, () -> GoTime.parse("yesterday"));
    }

    @Test
    void read_reportsMalformedJsonAsLayerExceptionNamingTheDocument() {
        LayerException e = assertThrows(LayerException.class,
                () -> json.read("{\"Env\":[\"A=1\"".getBytes(StandardCharsets.UTF_8), ExecutionConfig.class,
                        "config sha256:abc"));
        assertTrue(e.getMessage().startsWith("cannot read config sha256:abc as ExecutionConfig"), e.getMessage());
        assertThrows(LayerException.class,
                () -> json.read("{} trailing".getBytes(StandardCharsets.UTF_8), ExecutionConfig.class, "x"));
        assertThrows(LayerException.class,
                () -> json.read("null".getBytes(StandardCharsets.UTF_8), ExecutionConfig.class, "x"));
        assertThrows(LayerException.class,
                () -> json.read("[]".getBytes(StandardCharsets.UTF_8), ExecutionConfig.class, "x"));
    }

    @Test
    void read_nullInsideStringArraysAndMaps_decodesToEmptyStringLikeGo() throws LayerException {
        ExecutionConfig config = json.read("{\"Cmd\":[\"a\",null],\"Labels\":{\"k\":null}}"
                .getBytes(StandardCharsets.UTF_8), ExecutionConfig.class, "x");
        assertEquals(java.util.List.of("a", ""), config.cmd());
        assertEquals(Map.of("k", ""), config.labels());
    }
}
