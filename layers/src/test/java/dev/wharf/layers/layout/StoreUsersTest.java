package dev.wharf.layers.layout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreUsersTest {
    @TempDir
    Path dir;

    @Test
    void census_ofAStoreNobodyUsed_findsNoUsers() throws IOException {
        assertEquals(new StoreUsers.Census(false, false), new StoreUsers(dir.resolve("users")).census(null));
    }

    @Test
    void census_findsAKilledUsersMarkerOnce_andDeletesIt() throws IOException {
        StoreUsers users = new StoreUsers(dir);
        Path leftover = Files.writeString(dir.resolve("0123456789abcdef01234567.lock"), "");
        try (StoreUsers.Registration me = users.register()) {
            assertEquals(new StoreUsers.Census(false, true), users.census(me));
            assertFalse(Files.exists(leftover));
            assertEquals(new StoreUsers.Census(false, false), users.census(me));
        }
    }

    @Test
    void census_countsALiveUserAsAlive_notAsDead() throws IOException {
        StoreUsers users = new StoreUsers(dir);
        try (StoreUsers.Registration me = users.register(); StoreUsers.Registration other = users.register()) {
            assertEquals(new StoreUsers.Census(true, false), users.census(me));
        }
    }

    @Test
    void oldestAliveSince_isTheEarliestLiveMarkersTime_ignoringDeadOnes() throws IOException {
        StoreUsers users = new StoreUsers(dir);
        assertEquals(java.util.Optional.empty(), users.oldestAliveSince());
        Path dead = Files.writeString(dir.resolve("0123456789abcdef01234567.lock"), "");
        Files.setLastModifiedTime(dead, java.nio.file.attribute.FileTime.fromMillis(1_000));
        try (StoreUsers.Registration first = users.register(); StoreUsers.Registration second = users.register()) {
            java.time.Instant firstSince = java.time.Instant.parse("2026-01-01T00:00:00Z");
            try (var markers = Files.list(dir)) {
                for (Path marker : markers.filter(m -> !m.equals(dead)).toList()) {
                    Files.setLastModifiedTime(marker, java.nio.file.attribute.FileTime.from(firstSince));
                    firstSince = firstSince.plusSeconds(60);
                }
            }
            assertEquals(java.util.Optional.of(java.time.Instant.parse("2026-01-01T00:00:00Z")),
                    users.oldestAliveSince(), "the dead marker's older time does not count");
        }
        assertEquals(java.util.Optional.empty(), users.oldestAliveSince());
    }
}
