package dev.wharf.builder.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code --annotation} values, with buildx's util/buildflags ParseAnnotations forms and errors. */
class ImageAnnotationTest {
    @Test
    void noType_isAManifestAnnotation_andTheValueMayHoldEqualsAndColons() {
        assertEquals(List.of(new ImageAnnotation("manifest", Optional.empty(), "org.example.k", "a=b:c")),
                ImageAnnotation.parse("org.example.k=a=b:c"));
    }

    @Test
    void severalTypes_andPlatforms_makeOneAnnotationEach() {
        assertEquals(List.of(new ImageAnnotation("index", Optional.empty(), "k", "v"),
                        new ImageAnnotation("manifest", Optional.of("linux/arm64"), "k", "v"),
                        new ImageAnnotation("manifest-descriptor", Optional.empty(), "k", "v"),
                        new ImageAnnotation("index-descriptor", Optional.empty(), "k", "v")),
                ImageAnnotation.parse("index,manifest[linux/arm64],manifest-descriptor,index-descriptor:k=v"));
    }

    @Test
    void aLaterValueOfTheSameKey_wins_andEmptyValuesAreSkipped() {
        assertEquals(List.of(new ImageAnnotation("manifest", Optional.empty(), "k", "2")),
                ImageAnnotation.parseAll(List.of("k=1", "", "manifest:k=2")));
    }

    @Test
    void badValues_failWithBuildxsWords() {
        assertEquals("invalid annotation \"novalue\", expected key=value", assertThrows(
                IllegalArgumentException.class, () -> ImageAnnotation.parse("novalue")).getMessage());
        assertEquals("unknown annotation type \"layer\"", assertThrows(
                IllegalArgumentException.class, () -> ImageAnnotation.parse("layer:k=v")).getMessage());
        assertEquals("invalid annotation type \"Manifest\", expected type and optional platform in square "
                + "brackets", assertThrows(IllegalArgumentException.class,
                        () -> ImageAnnotation.parse("Manifest:k=v")).getMessage());
        String platform = assertThrows(IllegalArgumentException.class,
                () -> ImageAnnotation.parse("manifest[linux/amd64/v2/x]:k=v")).getMessage();
        assertTrue(platform.startsWith("invalid platform \"linux/amd64/v2/x\": "), platform);
    }
}
