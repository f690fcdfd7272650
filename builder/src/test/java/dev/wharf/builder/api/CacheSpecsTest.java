package dev.wharf.builder.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Docker's {@code --cache-from}/{@code --cache-to} syntax parsed into {@link CacheSource}/{@link CacheDestination}. */
class CacheSpecsTest {
    @Test
    void cacheFrom_registryLocalAndBareReference() {
        assertEquals(CacheSource.registry("reg.example:5000/app:cache"),
                CacheSource.parse("type=registry,ref=reg.example:5000/app:cache"));
        assertEquals(CacheSource.registry("user/app:cache"), CacheSource.parse("user/app:cache"));
        assertEquals(new CacheSource(CacheSource.Type.LOCAL, "/tmp/c", "v2"),
                CacheSource.parse("type=local,src=/tmp/c,tag=v2"));
        assertEquals(CacheSource.local(Path.of("dir")), CacheSource.parse("TYPE=local, src=dir"));
    }

    @Test
    void cacheTo_modesIgnoreErrorAndAcceptedBuildKitOptions() {
        assertEquals(CacheDestination.registry("r/app:c", CacheDestination.Mode.MIN),
                CacheDestination.parse("type=registry,ref=r/app:c"));
        assertEquals(new CacheDestination(CacheSource.Type.REGISTRY, "r/app:c", "", CacheDestination.Mode.MAX, true),
                CacheDestination.parse("type=registry,ref=r/app:c,mode=max,ignore-error=true,image-manifest=true,"
                        + "oci-mediatypes=true"));
        assertEquals(CacheDestination.local(Path.of("/c"), CacheDestination.Mode.MAX),
                CacheDestination.parse("type=local,dest=/c,mode=max"));
    }

    @Test
    void anUnknownModeOrIgnoreError_isMinAndFalse_asBuildKitOnlyLogsThemAtDebugLevel() {
        // control.go parseCacheExportMode/parseCacheExportIgnoreError: exactly "min"/"max" and a Go boolean.
        CacheDestination min = CacheDestination.registry("r", CacheDestination.Mode.MIN);
        assertEquals(min, CacheDestination.parse("type=registry,ref=r,mode=all"));
        assertEquals(min, CacheDestination.parse("type=registry,ref=r,mode=MAX"), "case matters to BuildKit");
        assertEquals(min, CacheDestination.parse("type=registry,ref=r,mode="));
        assertEquals(min, CacheDestination.parse("type=registry,ref=r,ignore-error=maybe"));
        assertEquals(new CacheDestination(CacheSource.Type.REGISTRY, "r", "", CacheDestination.Mode.MIN, true),
                CacheDestination.parse("type=registry,ref=r,ignore-error=True"));
    }

    @Test
    void aQuotedField_keepsItsCommas_asBuildxsCsvParsing() {
        // buildx util/buildflags/cache.go reads each value with csvvalue.Fields.
        assertEquals(CacheSource.local(Path.of("/tmp/a,b")), CacheSource.parse("type=local,\"src=/tmp/a,b\""));
        assertEquals(CacheDestination.local(Path.of("/c,d"), CacheDestination.Mode.MAX),
                CacheDestination.parse("type=local,\"dest=/c,d\",mode=max"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CacheSource.parse("type=local,src=a\"b"));
        assertTrue(e.getMessage().startsWith("--cache-from") && e.getMessage().endsWith(
                "parse error on line 1, column 17: bare \" in non-quoted-field"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"type=inline", "type=gha", "type=s3,bucket=b", "type=registry", "type=local,dest=d",
        "ref=r", "type=local,src=d,digest=sha256:00", "type=bogus,ref=r", "type=registry,,ref=r", "",
        "type=registry,ref=r,mode=max"})
    void malformedOrUnsupportedCacheFrom_isRejectedNamingTheOption(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CacheSource.parse(value));
        assertTrue(e.getMessage().startsWith("--cache-from"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"type=gha", "type=local,src=d", "type=registry,ref=r,compression=lz4", "type=local"})
    void malformedOrUnsupportedCacheTo_isRejectedNamingTheOption(String value) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CacheDestination.parse(value));
        assertTrue(e.getMessage().startsWith("--cache-to"), e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void inlineCacheTo_isTheImagesOwnConfig_andInlineCacheFromSaysToNameTheImage() {
        assertEquals(CacheSource.Type.INLINE, CacheDestination.parse("type=inline").type());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CacheSource.parse("type=inline"));
        assertTrue(e.getMessage().contains("type=registry,ref=IMAGE"), e.getMessage());
    }
}
