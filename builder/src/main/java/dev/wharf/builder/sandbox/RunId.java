package dev.wharf.builder.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.OptionalLong;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The id of a sandbox run, which names its state directory and its cgroups: {@code wharf-} and 24 hex digits, the
 * owner's pid (8), random ones (8) and a check (8, the CRC-32 of what precedes it). The pid lets a sweep tell the
 * cgroups of runs whose JVM is gone without any store ({@link StaleCgroups}); the check keeps it from reading a pid
 * into an id that has none (an older wharf's, all random, whose run may be alive): such an id passes it by chance
 * once in 2^32. Stateless.
 */
final class RunId {
    private static final Pattern ID = Pattern.compile("wharf-([0-9a-f]{8})([0-9a-f]{8})([0-9a-f]{8})");

    private RunId() {
    }

    /** A fresh id of a run owned by process {@code pid}. */
    static String create(long pid, Random random) {
        String head = "wharf-" + String.format("%08x%08x", pid, random.nextInt());
        return head + check(head);
    }

    /** The pid that owns run {@code id}, or empty when {@code id} is no run id that carries one. */
    static OptionalLong owner(String id) {
        Matcher m = ID.matcher(id);
        if (!m.matches() || !m.group(3).equals(check(id.substring(0, id.length() - 8)))) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(Long.parseLong(m.group(1), 16));
    }

    private static String check(String head) {
        CRC32 crc = new CRC32();
        crc.update(head.getBytes(StandardCharsets.US_ASCII));
        return String.format("%08x", crc.getValue());
    }
}
