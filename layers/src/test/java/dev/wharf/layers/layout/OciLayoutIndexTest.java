package dev.wharf.layers.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.MediaTypes;
import dev.wharf.layers.json.CanonicalJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OciLayoutIndexTest {
    @TempDir
    Path dir;

    private final CanonicalJson json = CanonicalJson.shared();

    private static Descriptor manifest(String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        return Descriptor.of(MediaTypes.OCI_MANIFEST, Digest.sha256Of(bytes), bytes.length);
    }

    private static Descriptor named(Descriptor d, String fullName, String tag) {
        Descriptor out = d.withAnnotation(Descriptor.REF_NAME_ANNOTATION, tag);
        return fullName == null ? out : out.withAnnotation(Descriptor.CONTAINERD_NAME_ANNOTATION, fullName);
    }

    @Test
    void add_intoANewDirectory_writesTheLayoutFileAndAnIndexOfTheEntries() throws Exception {
        OciLayoutIndex index = OciLayoutIndex.of(dir, json);
        assertEquals(List.of(), index.entries(), "no index.json: no entries");
        Descriptor a = named(manifest("a"), "docker.io/library/app:1", "1");
        index.add(List.of(a), OciLayoutIndex.NameRule.BUILDKIT);
        assertEquals(OciLayout.LAYOUT_FILE_CONTENT, Files.readString(dir.resolve("oci-layout")));
        assertEquals(List.of(a), index.entries());
    }

    @Test
    void ensureLayoutFile_keepsAnExistingOne() throws Exception {
        Files.writeString(dir.resolve("oci-layout"), "{\"imageLayoutVersion\": \"1.0.0\"}\n");
        OciLayoutIndex.of(dir, json).ensureLayoutFile();
        assertEquals("{\"imageLayoutVersion\": \"1.0.0\"}\n", Files.readString(dir.resolve("oci-layout")));
    }

    @Test
    void buildKitRule_replacesOnlyEntriesWithTheSameFullNameAndTag() throws Exception {
        OciLayoutIndex index = OciLayoutIndex.of(dir, json);
        Descriptor app1 = named(manifest("old"), "docker.io/library/app:1", "1");
        Descriptor other1 = named(manifest("other"), "docker.io/library/other:1", "1");
        Descriptor bare = named(manifest("bare"), null, "latest");
        index.add(List.of(app1, other1, bare), OciLayoutIndex.NameRule.BUILDKIT);

        Descriptor newApp1 = named(manifest("new"), "docker.io/library/app:1", "1");
        Descriptor newBare = named(manifest("new"), null, "latest");
        index.add(List.of(newApp1, newBare, newBare), OciLayoutIndex.NameRule.BUILDKIT);
        assertEquals(List.of(other1, newApp1, newBare), index.entries(),
                "same name replaced, other names kept, a name given twice kept once");
    }

    @Test
    void skopeoRule_replacesEntriesWithTheSameTag_andKeepsEveryAddedOne() throws Exception {
        OciLayoutIndex index = OciLayoutIndex.of(dir, json);
        Descriptor app1 = named(manifest("old"), "docker.io/library/app:1", "1");
        Descriptor app2 = named(manifest("old"), "docker.io/library/app:2", "2");
        index.add(List.of(app1, app2), OciLayoutIndex.NameRule.SKOPEO);

        Descriptor other1 = named(manifest("other"), "docker.io/library/other:1", "1");
        Descriptor more1 = named(manifest("more"), "docker.io/library/more:1", "1");
        index.add(List.of(other1, more1), OciLayoutIndex.NameRule.SKOPEO);
        assertEquals(List.of(app2, other1, more1), index.entries());
    }

    @Test
    void entries_ofAnIndexThatIsNoImageIndex_failNamingTheFile() throws Exception {
        Files.writeString(dir.resolve("index.json"), "[1, 2]");
        LayerException e = assertThrows(LayerException.class, () -> OciLayoutIndex.of(dir, json).entries());
        assertEquals(true, e.getMessage().contains(dir.resolve("index.json").toString()), e.getMessage());
    }
}
