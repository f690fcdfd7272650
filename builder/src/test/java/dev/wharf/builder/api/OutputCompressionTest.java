package dev.wharf.builder.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** The compression attributes of {@code --output} and {@code --cache-to}, parsed in one place as BuildKit's. */
class OutputCompressionTest {
    @Test
    void withoutAttributes_isGzipAtLevel6_keepingCompressedLayers() {
        OutputCompression c = OutputCompression.parse(Map.of(), "--output");
        assertEquals(OutputCompression.defaults(), c);
        assertEquals(OutputCompression.Type.GZIP, c.type());
        assertEquals(6, c.effectiveLevel());
        assertFalse(c.force());
        assertEquals(OutputCompression.defaults(), BuildOutput.parse("type=registry").compression());
    }

    @Test
    void outputAttributes_setTypeLevelAndForce_andABareForceCompressionMeansTrue() {
        BuildOutput output = BuildOutput.parse("type=image,push=true,compression=zstd,compression-level=12,"
                + "force-compression");
        assertEquals(new OutputCompression(OutputCompression.Type.ZSTD, OptionalInt.of(12), true),
                output.compression());
        assertEquals(3, BuildOutput.parse("type=oci,dest=x,compression=zstd").compression().effectiveLevel());
        assertEquals(OutputCompression.Type.UNCOMPRESSED,
                BuildOutput.parse("type=docker,dest=x.tar,compression=uncompressed").compression().type());
        assertTrue(CacheDestination.parse("type=local,dest=d,compression=zstd,force-compression=true")
                .compression().force());
    }

    @Test
    void badValues_failNamingTheAttribute() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BuildOutput.parse(
                "type=registry,compression=lz4")).getMessage().contains("--output compression=lz4 is unknown"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BuildOutput.parse(
                "type=registry,compression=estargz")).getMessage().contains("not supported by wharf"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BuildOutput.parse(
                "type=registry,compression-level=10")).getMessage().contains("out of gzip's range 0..9"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BuildOutput.parse(
                "type=registry,compression=zstd,compression-level=x")).getMessage().contains("not an integer"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> CacheDestination.parse(
                "type=registry,ref=r/c,force-compression=maybe")).getMessage().contains("--cache-to"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> BuildOutput.parse(
                "type=local,dest=d,compression=zstd")).getMessage().contains("takes no compression options"));
    }
}
