package dev.wharf.builder.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
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

    @Test
    void rewriteTimestamp_isAnImageExportersOption_trueByDefaultInWharf() {
        assertTrue(BuildOutput.parse("type=image").clampsLayers(), "issue #6: clamped by default");
        assertEquals(Optional.empty(), BuildOutput.parse("type=image").rewriteTimestamp());
        assertTrue(BuildOutput.parse("type=oci,dest=x.tar,rewrite-timestamp=true").clampsLayers());
        assertTrue(BuildOutput.parse("type=registry,name=r/x,rewrite-timestamp=").clampsLayers());
        assertFalse(BuildOutput.parse("type=docker,dest=x.tar,rewrite-timestamp=false").clampsLayers());
        assertFalse(BuildOutput.parse("type=image,rewrite-timestamp=false").withCompression(
                OutputCompression.defaults()).clampsLayers(), "copies keep it");
        IllegalArgumentException local = assertThrows(IllegalArgumentException.class,
                () -> BuildOutput.parse("type=local,dest=out,rewrite-timestamp=true"));
        assertTrue(local.getMessage().contains("takes no rewrite-timestamp="), local.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BuildOutput.parse("type=image,rewrite-timestamp=maybe"));
    }

    @Test
    void ociMediaTypes_defaultPerExporter_asBuildKit_zstdForcesThem() {
        // exporter/containerimage: Docker types unless oci-mediatypes; exporter/oci: OCI for oci, Docker for docker.
        assertEquals(false, BuildOutput.parse("type=registry").ociTypes());
        assertEquals(false, BuildOutput.parse("type=image,push=true").ociTypes());
        assertEquals(false, BuildOutput.parse("type=docker,dest=x.tar").ociTypes());
        assertEquals(true, BuildOutput.parse("type=oci,dest=x.tar").ociTypes());
        assertEquals(true, BuildOutput.parse("type=registry,oci-mediatypes=true").ociTypes());
        // 0.13's parseBoolWithDefault: an empty value is true.
        assertEquals(true, BuildOutput.parse("type=docker,dest=x.tar,oci-mediatypes=").ociTypes());
        assertEquals(false, BuildOutput.parse("type=oci,dest=x.tar,oci-mediatypes=false").ociTypes());
        // "forcibly turning on oci-mediatype mode for zstd": Docker's schema 2 has no zstd layers.
        assertEquals(true, BuildOutput.parse("type=registry,compression=zstd,oci-mediatypes=false").ociTypes());
        assertEquals(java.util.Optional.of(false),
                BuildOutput.parse("type=registry,oci-mediatypes=false").ociMediaTypes());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BuildOutput.parse("type=registry,oci-mediatypes=maybe"));
    }

    @Test
    void ociAndDockerOutputs_takeName_andTheTagsOverrideIt_asBuildxHandsThemToTheExporter() {
        // buildx -o type=docker,name=app:1,dest=- is a common way to name the image docker load gets.
        BuildOutput docker = BuildOutput.parse("type=docker,name=app:1,dest=out.tar");
        assertEquals(List.of("app:1"), docker.names());
        assertEquals(List.of("app:1"), docker.archiveNames(List.of()));
        assertEquals(List.of("team/x:2"), docker.archiveNames(List.of("team/x:2")), "build/opt.go: -t wins");
        assertEquals(List.of("a", "b:1"), BuildOutput.parse("type=oci,\"name=a,b:1\",dest=o.tar").names());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BuildOutput.parse("type=local,name=x,dest=d"));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BuildOutput.parse("type=oci,push=true,dest=o.tar"));
    }
}
