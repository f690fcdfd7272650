package dev.wharf.builder.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
        List<SnapshotRecord> all = store.all().records();
        assertEquals(2, all.size());
        assertTrue(all.containsAll(List.of(committed, view)), all.toString());
    }

    @Test
    void aDamagedRecord_isNoRecord_andIsReportedWithItsFileAndWhy() throws Exception {
        List<MetadataStore.Damaged> reported = new ArrayList<>();
        MetadataStore store = new MetadataStore(Files.createDirectories(temp.resolve("metadata")),
                Files.createDirectories(temp.resolve("tmp")), reported::add);
        List<String> damaged = List.of("{\"name\":\"x\",\"kind\":\"ACTIVE\"", "[1]", "{\"name\":\"x\",\"kind\":\"LOST\","
                + "\"id\":1}", "{\"name\":\"x\",\"kind\":\"ACTIVE\",\"id\":\"1\"}", "{\"kind\":\"ACTIVE\",\"id\":1}",
                "{\"name\":\"x\",\"kind\":\"ACTIVE\",\"id\":1} {}", "\0\0\0\0\0\0", "",
                "{\"name\":\"y\",\"kind\":\"ACTIVE\",\"parent\":null,\"id\":3}");
        for (String bad : damaged) {
            Files.writeString(fileOf("x"), bad);
            assertEquals(Optional.empty(), store.get("x"), bad);
        }
        assertEquals(damaged.size(), reported.size());
        for (MetadataStore.Damaged d : reported) {
            assertEquals(fileOf("x"), d.file());
            assertFalse(d.reason().isBlank());
        }
        assertTrue(reported.get(reported.size() - 1).reason().contains("record of y"), reported.toString());
    }

    @Test
    void listing_skipsDamagedRecordsAndForeignFiles_andNamesTheDamagedFiles() throws Exception {
        MetadataStore store = store();
        SnapshotRecord good = new SnapshotRecord("good", SnapshotKind.COMMITTED, null, 1);
        store.put(good);
        // What a power loss leaves of unsynced records: nothing, or zeroed blocks; and a file wharf never wrote.
        Files.writeString(fileOf("cut"), "");
        Files.write(fileOf("torn"), new byte[64]);
        Files.writeString(temp.resolve("metadata/notes.json"), "{}");
        Files.writeString(temp.resolve("metadata/ABCD.json"), "{}");
        MetadataStore.Listing listing = store.all();
        assertEquals(List.of(good), listing.records());
        assertEquals(Set.of(fileOf("cut"), fileOf("torn")), Set.copyOf(listing.damaged()));
    }
}
