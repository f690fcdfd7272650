package dev.wharf.builder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetadataStoreTest {
    @TempDir
    Path temp;

    private MetadataStore store() throws Exception {
        return new MetadataStore(Files.createDirectories(temp.resolve("metadata")),
                Files.createDirectories(temp.resolve("tmp")));
    }

    private Path fileOf(String name) {
        return temp.resolve("metadata").resolve(HexFormat.of().formatHex(name.getBytes(StandardCharsets.UTF_8))
                + ".json");
    }

    @Test
    void recordsWrittenByEarlierVersions_areReadAsTheyWere() throws Exception {
        MetadataStore store = store();
        // Exactly what Jackson data binding wrote for SnapshotRecord before the streaming codec.
        Files.writeString(fileOf("chain-b"), "{\"name\":\"chain-b\",\"kind\":\"COMMITTED\",\"parent\":\"chain-a\","
                + "\"id\":75}");
        Files.writeString(fileOf("k"), "{\"name\":\"k\",\"kind\":\"ACTIVE\",\"parent\":null,\"id\":3}");
        assertEquals(Optional.of(new SnapshotRecord("chain-b", SnapshotKind.COMMITTED, "chain-a", 75)),
                store.get("chain-b"));
        assertEquals(Optional.of(new SnapshotRecord("k", SnapshotKind.ACTIVE, null, 3)), store.get("k"));
    }

    @Test
    void putThenGet_roundTripsEveryField_inTheSameFormat() throws Exception {
        MetadataStore store = store();
        SnapshotRecord committed = new SnapshotRecord("sha256:ab\"c", SnapshotKind.COMMITTED, "p\u00e9re", 12);
        SnapshotRecord view = new SnapshotRecord("v", SnapshotKind.VIEW, null, 13);
        store.put(committed);
        store.put(view);
        assertEquals(Optional.of(committed), store.get(committed.name()));
        assertEquals(Optional.of(view), store.get("v"));
        assertEquals("{\"name\":\"v\",\"kind\":\"VIEW\",\"parent\":null,\"id\":13}", Files.readString(fileOf("v")));
        List<SnapshotRecord> all = store.all();
        assertEquals(2, all.size());
        assertTrue(all.containsAll(List.of(committed, view)), all.toString());
    }

    @Test
    void aDamagedRecord_isAnErrorNamingTheFile() throws Exception {
        MetadataStore store = store();
        for (String bad : List.of("{\"name\":\"x\",\"kind\":\"ACTIVE\"", "[1]", "{\"name\":\"x\",\"kind\":\"LOST\","
                + "\"id\":1}", "{\"name\":\"x\",\"kind\":\"ACTIVE\",\"id\":\"1\"}", "{\"kind\":\"ACTIVE\",\"id\":1}",
                "{\"name\":\"x\",\"kind\":\"ACTIVE\",\"id\":1} {}")) {
            Files.writeString(fileOf("x"), bad);
            SnapshotException e = assertThrows(SnapshotException.class, () -> store.get("x"), bad);
            assertTrue(e.getMessage().contains(fileOf("x").toString()), e.getMessage());
        }
    }

    @Test
    void anEmptyRecordFile_isNoRecord() throws Exception {
        MetadataStore store = store();
        Files.writeString(fileOf("cut"), "");
        assertEquals(Optional.empty(), store.get("cut"));
    }
}
