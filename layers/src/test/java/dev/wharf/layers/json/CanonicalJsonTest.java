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
    void goTime_parseAgreesWithIsoOffsetDateTime() {
        // The hand-read common form and the formatter it falls back to: the same value, or both reject.
        String[] texts = {"2024-01-02T03:04:05Z", "2024-01-02T03:04:05.12Z", "2024-01-02T03:04:05.000000001-05:30",
            "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.999999999+14:00", "2024-02-29T00:00:00Z",
            "2023-02-29T00:00:00Z", "2024-04-31T00:00:00Z", "2024-13-01T00:00:00Z", "2024-01-01T24:00:00Z",
            "2024-01-01T23:60:00Z", "2024-01-01T23:59:60Z", "2024-01-01T00:00:00+18:00", "2024-01-01T00:00:00+18:01",
            "2024-01-01T00:00:00+19:00", "2024-01-01T00:00:00-00:00", "2024-01-01T00:00:00+05:60",
            "2024-01-01T00:00:00.Z", "2024-01-01T00:00:00.1234567891Z", "2024-01-01T00:00Z",
            "2024-01-01t00:00:00z", "2024-01-01T00:00:00+0530", "2024-01-01T00:00:00+05:30:15",
            "+12024-01-01T00:00:00Z", "2024-1-01T00:00:00Z", "2024-01-01T00:00:00", "2024-01-01T0a:00:00Z",
            "2024-01-01T00:00:00.5+01:00", "2024-01-01T00:00:00 Z", "2024-01-01T00:00:00ZZ"};
        for (String text : texts) {
            OffsetDateTime expected;
            try {
                expected = OffsetDateTime.parse(text, java.time.format.DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            } catch (java.time.format.DateTimeParseException e) {
                assertThrows(IllegalArgumentException.class, () -> GoTime.parse(text), text);
                continue;
            }
            OffsetDateTime parsed = GoTime.parse(text);
            assertEquals(expected, parsed, text);
            assertEquals(expected.getOffset(), parsed.getOffset(), text);
        }
    }

    @Test
    void goTime_instantTextAndInstantAgreeWithTheJdk() {
        java.util.Random random = new java.util.Random(42);
        java.util.List<java.time.Instant> instants = new java.util.ArrayList<>(java.util.List.of(java.time.Instant.EPOCH,
                java.time.Instant.parse("0000-01-01T00:00:00Z"), java.time.Instant.parse("9999-12-31T23:59:59.999999999Z"),
                java.time.Instant.parse("+10000-01-01T00:00:00Z"), java.time.Instant.parse("-0001-12-31T23:59:59Z"),
                java.time.Instant.ofEpochSecond(1_700_000_000, 120_000_000),
                java.time.Instant.ofEpochSecond(1_700_000_000, 123_456_000),
                java.time.Instant.ofEpochSecond(1_700_000_000, 1)));
        for (int i = 0; i < 2000; i++) {
            instants.add(java.time.Instant.ofEpochSecond(random.nextLong() % 253_402_300_800L,
                    switch (i % 4) {
                        case 0 -> 0;
                        case 1 -> random.nextInt(1000) * 1_000_000;
                        case 2 -> random.nextInt(1_000_000) * 1000;
                        default -> random.nextInt(1_000_000_000);
                    }));
        }
        for (java.time.Instant instant : instants) {
            String text = GoTime.instantText(instant);
            assertEquals(instant.toString(), text);
            assertEquals(instant, GoTime.instant(text), text);
        }
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
