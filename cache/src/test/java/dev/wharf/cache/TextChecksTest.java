package dev.wharf.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class TextChecksTest {
    @Test
    void wellFormedText_isReturnedAsIs_whateverItsLength() {
        for (String text : new String[] {"", "a", "x".repeat(2048), "é".repeat(5000) + "\ud83d\ude00" + "y".repeat(3000),
                "z".repeat(2047) + "\ud83d\ude00" + "z"}) {
            assertSame(text, TextChecks.wellFormed(text, "t"));
        }
    }

    @Test
    void unpairedSurrogate_isFoundInAnyChunk_withItsOffset() {
        String text = "a".repeat(5000) + "\udc00" + "b";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TextChecks.wellFormed(text, "image config"));
        assertEquals("image config has an unpaired surrogate U+DC00 at offset 5000: cache inputs must be well-formed "
                + "text", e.getMessage());
        // A high surrogate ending one chunk whose pair would start the next is unpaired when the text ends there.
        assertThrows(IllegalArgumentException.class, () -> TextChecks.wellFormed("c".repeat(2047) + "\ud800", "t"));
    }
}
