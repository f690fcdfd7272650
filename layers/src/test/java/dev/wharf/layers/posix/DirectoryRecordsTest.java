package dev.wharf.layers.posix;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DirectoryRecordsTest {

    /** A struct linux_dirent64 as the kernel writes it, its padding filled with garbage to be ignored. */
    private static void record(ByteArrayOutputStream out, String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        int reclen = (19 + bytes.length + 1 + 7) / 8 * 8;
        byte[] record = new byte[reclen];
        java.util.Arrays.fill(record, (byte) 'x');
        record[16] = (byte) reclen;
        record[17] = (byte) (reclen >> 8);
        record[18] = 4;
        System.arraycopy(bytes, 0, record, 19, bytes.length);
        record[19 + bytes.length] = 0;
        out.writeBytes(record);
    }

    @Test
    void forEachName_givesEveryNameButDotAndDotDot_atAnyLengthOfPadding() {
        List<String> written = new ArrayList<>();
        for (int length = 1; length <= 24; length++) {
            written.add("n".repeat(length));
        }
        written.add("é-ünïcode");
        written.add("...");
        written.add(".hidden");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        record(out, ".");
        record(out, "..");
        written.forEach(n -> record(out, n));
        byte[] records = out.toByteArray();
        byte[] buffer = java.util.Arrays.copyOf(records, records.length + 100); // a buffer larger than its records

        List<String> read = new ArrayList<>();
        DirectoryRecords.forEachName(buffer, records.length, (bytes, start, end) -> {
            assertEquals(0, bytes[end], "end is the NUL");
            read.add(new String(bytes, start, end - start, StandardCharsets.UTF_8));
        });
        assertEquals(written, read);
    }
}
