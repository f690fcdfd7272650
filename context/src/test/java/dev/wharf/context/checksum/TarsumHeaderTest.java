package dev.wharf.context.checksum;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.wharf.context.walk.FileStat;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TarsumHeaderTest {

    private static String header(FileStat s, Map<String, byte[]> xattrs, boolean reset) {
        return new String(TarsumHeader.of(s, xattrs, reset), StandardCharsets.UTF_8);
    }

    private static FileStat stat(int mode, long size, String link) {
        return new FileStat("x", mode, 1000, 100, size, 123, 456, 7, 8, 0x0103, 1, link);
    }

    @Test
    void regularFile_hasSizeAndModeWithSpecialBits_butNoTimes() {
        assertEquals("namemode2541uid1000gid100size5typeflag0linknameunamegnamedevmajor0devminor0",
                header(stat(0104755, 5, ""), Map.of(), false));
    }

    @Test
    void resetOwner_writesRoot() {
        assertEquals("namemode420uid0gid0size5typeflag0linknameunamegnamedevmajor0devminor0",
                header(stat(0100644, 5, ""), Map.of(), true));
    }

    @Test
    void symlink_hasTargetAndNoSize() {
        assertEquals("namemode511uid0gid0size0typeflag2linknametargetunamegnamedevmajor0devminor0",
                header(stat(0120777, 6, "target"), Map.of(), true));
    }

    @Test
    void devices_neverRecordTheirNumbers_likeBuildKitsModeBitTest() {
        assertEquals("namemode438uid0gid0size0typeflag3linknameunamegnamedevmajor0devminor0",
                header(stat(020666, 0, ""), Map.of(), true));
        assertEquals("namemode432uid0gid0size0typeflag4linknameunamegnamedevmajor0devminor0",
                header(stat(060660, 0, ""), Map.of(), true));
    }

    @Test
    void socket_isHashedAsARegularFile() {
        assertEquals("namemode493uid0gid0size0typeflag0linknameunamegnamedevmajor0devminor0",
                header(stat(0140755, 0, ""), Map.of(), true));
    }

    @Test
    void xattrs_sortedAndFiltered() {
        Map<String, byte[]> x = Map.of("user.b", "2".getBytes(StandardCharsets.UTF_8),
                "user.a", "1".getBytes(StandardCharsets.UTF_8),
                "security.selinux", "ctx".getBytes(StandardCharsets.UTF_8),
                "security.capability", "cap".getBytes(StandardCharsets.UTF_8),
                "system.posix_acl_access", "acl".getBytes(StandardCharsets.UTF_8));
        assertEquals("namemode493uid0gid0size0typeflag5linknameunamegnamedevmajor0devminor0"
                + "security.capabilitycapuser.a1user.b2", header(stat(040755, 4096, ""), x, true));
    }
}
