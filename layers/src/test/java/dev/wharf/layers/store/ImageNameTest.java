package dev.wharf.layers.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageNameTest {
    @ParameterizedTest
    @CsvSource({
        "app, app, latest",
        "app:1.0, app, 1.0",
        "team/app:v2_rc-1, team/app, v2_rc-1",
        "localhost:5000/team/app, localhost:5000/team/app, latest",
        "localhost:5000/team/app:v2, localhost:5000/team/app, v2",
        "registry.example.com/a.b/c__d/e--f:TAG, registry.example.com/a.b/c__d/e--f, TAG",
        "[::1]:5000/app:x, [::1]:5000/app, x"})
    void parse_splitsNameAndTag(String text, String name, String tag) {
        ImageName parsed = ImageName.parse(text);
        assertEquals(new ImageName(name, tag), parsed);
        assertEquals(name + ":" + tag, parsed.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "App", "app:", ":tag", "app@sha256:abc", "a//b", "-app", "app-", "app:.tag",
        "app:-tag", "a b", "app:tag:more", "/app", "app/"})
    void parse_rejectsInvalidReferences(String text) {
        assertThrows(IllegalArgumentException.class, () -> ImageName.parse(text));
    }

    @org.junit.jupiter.api.Test
    void parse_rejectsTagsLongerThan128() {
        assertEquals(128, ImageName.parse("app:" + "t".repeat(128)).tag().length());
        assertThrows(IllegalArgumentException.class, () -> ImageName.parse("app:" + "t".repeat(129)));
    }
}
