package dev.wharf.layers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.layers.MediaTypes.Compression;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MediaTypesTest {
    @ParameterizedTest
    @CsvSource({
        "application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.list.v2+json, application/vnd.oci.image.index.v1+json",
        "application/vnd.docker.container.image.v1+json, application/vnd.oci.image.config.v1+json",
        "application/vnd.docker.image.rootfs.diff.tar, application/vnd.oci.image.layer.v1.tar",
        "application/vnd.docker.image.rootfs.diff.tar.gzip, application/vnd.oci.image.layer.v1.tar+gzip",
        "application/vnd.docker.image.rootfs.diff.tar.zstd, application/vnd.oci.image.layer.v1.tar+zstd",
        "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip,"
                + " application/vnd.oci.image.layer.nondistributable.v1.tar+gzip"})
    void dockerAndOciTypes_mapBothWays(String docker, String oci) {
        assertEquals(oci, MediaTypes.toOci(docker));
        assertEquals(Optional.of(docker), MediaTypes.toDocker(oci));
        assertEquals(Optional.of(docker), MediaTypes.toDocker(docker));
        assertEquals(oci, MediaTypes.toOci(oci));
    }

    @Test
    void typesWithoutADockerCounterpart_mapToEmpty() {
        assertEquals(Optional.empty(), MediaTypes.toDocker(MediaTypes.OCI_FOREIGN_LAYER_ZSTD));
        assertEquals(Optional.empty(), MediaTypes.toDocker("application/vnd.example+json"));
    }

    @Test
    void classification_coversBothFamilies() {
        assertTrue(MediaTypes.isManifest(MediaTypes.DOCKER_MANIFEST));
        assertTrue(MediaTypes.isIndex(MediaTypes.OCI_INDEX));
        assertTrue(MediaTypes.isConfig(MediaTypes.DOCKER_CONFIG));
        assertTrue(MediaTypes.isForeignLayer(MediaTypes.DOCKER_FOREIGN_LAYER_GZIP));
        assertFalse(MediaTypes.isForeignLayer(MediaTypes.OCI_LAYER_GZIP));
        assertEquals(Optional.of(Compression.ZSTD), MediaTypes.layerCompression(MediaTypes.DOCKER_LAYER_ZSTD));
        assertEquals(Optional.of(Compression.NONE), MediaTypes.layerCompression(MediaTypes.OCI_LAYER_TAR));
        assertEquals(Optional.empty(), MediaTypes.layerCompression(MediaTypes.OCI_CONFIG));
        assertEquals(Optional.empty(), MediaTypes.layerCompression(null));
    }

    @Test
    void toDistributable_keepsFamilyAndCompressionAndLeavesOtherTypes() {
        assertEquals(MediaTypes.OCI_LAYER_GZIP, MediaTypes.toDistributable(MediaTypes.OCI_FOREIGN_LAYER_GZIP));
        assertEquals(MediaTypes.OCI_LAYER_ZSTD, MediaTypes.toDistributable(MediaTypes.OCI_FOREIGN_LAYER_ZSTD));
        assertEquals(MediaTypes.OCI_LAYER_TAR, MediaTypes.toDistributable(MediaTypes.OCI_FOREIGN_LAYER_TAR));
        assertEquals(MediaTypes.DOCKER_LAYER_GZIP, MediaTypes.toDistributable(MediaTypes.DOCKER_FOREIGN_LAYER_GZIP));
        assertEquals(MediaTypes.DOCKER_LAYER_TAR, MediaTypes.toDistributable(MediaTypes.DOCKER_FOREIGN_LAYER_TAR));
        assertEquals(MediaTypes.OCI_LAYER_GZIP, MediaTypes.toDistributable(MediaTypes.OCI_LAYER_GZIP));
        assertEquals(MediaTypes.OCI_CONFIG, MediaTypes.toDistributable(MediaTypes.OCI_CONFIG));
    }
}
