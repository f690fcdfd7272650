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
}
