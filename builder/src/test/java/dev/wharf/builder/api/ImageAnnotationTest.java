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

    @Test
    void exporterOptions_areTypedAsBuildKitsParseAnnotationKey_keepingTheKeysCase() {
        BuildOutput output = BuildOutput.parse("type=oci,dest=out.tar,annotation.org.Example.Plain=1,"
                + "annotation-manifest.m=2,annotation-manifest-descriptor.d=a=b,annotation-index.i=3,"
                + "annotation-index-descriptor.id=4,annotation-manifest[linux/arm64].p=5");
        assertEquals(List.of(new ImageAnnotation("manifest", Optional.empty(), "org.Example.Plain", "1"),
                new ImageAnnotation("manifest", Optional.empty(), "m", "2"),
                new ImageAnnotation("manifest-descriptor", Optional.empty(), "d", "a=b"),
                new ImageAnnotation("index", Optional.empty(), "i", "3"),
                new ImageAnnotation("index-descriptor", Optional.empty(), "id", "4"),
                new ImageAnnotation("manifest", Optional.of("linux/arm64"), "p", "5")), output.annotations());
        assertEquals(List.of(), BuildOutput.parse("type=oci,dest=x").annotations());
        // A later option of the same type, platform and key replaces the earlier one.
        assertEquals(List.of(new ImageAnnotation("manifest", Optional.empty(), "k", "2")),
                BuildOutput.parse("type=image,annotation.k=1,annotation-manifest.k=2").annotations());
        assertEquals("unrecognized annotation type layer", assertThrows(IllegalArgumentException.class,
                () -> BuildOutput.parse("type=image,annotation-layer.k=v")).getMessage());
        // Not an annotation (no key after the dot): an unknown option.
        assertThrows(IllegalArgumentException.class, () -> BuildOutput.parse("type=image,annotation.=v"));
        assertEquals(Optional.empty(), ImageAnnotation.exporterOption("annotations.k", "v"));
    }

    @Test
    void aQuotedExporterOption_keepsItsCommas_asBuildxsCsvParsingOfEachOutput() {
        // buildx util/buildflags/export.go reads each -o with csvvalue.Fields.
        BuildOutput output = BuildOutput.parse("type=oci,dest=x.tar,\"annotation.org.x=a,b\",\"annotation.y=\"\"q\"\"\"");
        assertEquals(List.of(new ImageAnnotation("manifest", Optional.empty(), "org.x", "a,b"),
                new ImageAnnotation("manifest", Optional.empty(), "y", "\"q\"")), output.annotations());
        assertEquals(Optional.of(java.nio.file.Path.of("a,b.tar")),
                BuildOutput.parse("type=oci,\"dest=a,b.tar\"").dest());
    }
}
