package dev.wharf.builder.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link BuildOutput#parse}: buildx's -o values. */
class BuildOutputTest {

    @Test
    void aQuotedNameFieldWithCommas_namesSeveralImages_asBuildKitsImageExporterSplitsIt() {
        // buildx keeps the quoted field's commas (csvvalue.Fields); BuildKit's image exporter splits its name
        // attribute on them (exporter/containerimage/export.go): -o 'type=image,"name=a,b:1"' names a and b:1.
        assertEquals(List.of("foo/bar", "baz:1"), BuildOutput.parse("type=image,\"name=foo/bar,baz:1\"").names());
        assertEquals(List.of("foo"), BuildOutput.parse("type=image,name=foo").names());
    }
    /**
     * buildx 0.13.1 ParseExports: one field that does not start with "type=" is a directory even with a '=' in it
     * ({@code -o dest=out} wrote the directory "dest=out"); several fields without a type fail in its words.
     */
    @Test
    void aSingleFieldWithoutType_isADirectory_andFieldsWithoutType_areRefused() {
        BuildOutput dir = BuildOutput.parse("dest=out");
        assertEquals("local", dir.type());
        assertEquals(java.util.Optional.of(java.nio.file.Path.of("dest=out")), dir.dest());
        assertEquals("local", BuildOutput.parse("out/dir").type());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BuildOutput.parse("dest=out,compression=gzip"));
        assertEquals("type is required for output", e.getMessage());
    }
}
