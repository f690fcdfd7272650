package dev.wharf.builder.sandbox;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32;

/**
 * The id of a sandbox run, which names its state directory and its cgroups: {@code wharf-} and 32 hex digits, the
 * owner's pid (8), the inode of the pid namespace that pid is in (8), random ones (8) and a check (8, the CRC-32 of
 * what precedes it). Pid and namespace let a sweep tell the cgroups of runs whose JVM is gone without any store, from
 * any pid namespace ({@link StaleCgroups}, {@link RunOwners}); the check keeps it from reading an owner into an id
 * that has none (an older wharf's all random one, whose run may be alive): such an id passes it by chance once in
 * 2^32. The ids of the wharf before this one, with 24 digits (pid, random, check), name their owner's pid alone.
 * Stateless.
 */
final class RunId {
    private static final Pattern ID = Pattern.compile("wharf-([0-9a-f]{8})([0-9a-f]{8})([0-9a-f]{8})([0-9a-f]{8})");
    private static final Pattern PID_ONLY = Pattern.compile("wharf-([0-9a-f]{8})([0-9a-f]{8})([0-9a-f]{8})");

    /** A run's owner: its pid, in the pid namespace of that inode (empty: an id that names none). */
    record Owner(long pid, OptionalLong pidNamespace) {
    }

    private RunId() {
    }

    /** A fresh id of a run owned by process {@code pid} of the pid namespace {@code pidNamespace} (its inode). */
    static String create(long pid, long pidNamespace, Random random) {
        String head = "wharf-" + String.format("%08x%08x%08x", pid, pidNamespace & 0xFFFFFFFFL, random.nextInt());
        return head + check(head);
    }

    /** The owner of run {@code id}, or empty when {@code id} is no run id that carries one. */
    static Optional<Owner> owner(String id) {
        Matcher m = ID.matcher(id);
        if (m.matches() && m.group(4).equals(check(id.substring(0, id.length() - 8)))) {
            return Optional.of(new Owner(Long.parseLong(m.group(1), 16),
                    OptionalLong.of(Long.parseLong(m.group(2), 16))));
        }
        m = PID_ONLY.matcher(id);
        if (m.matches() && m.group(3).equals(check(id.substring(0, id.length() - 8)))) {
            return Optional.of(new Owner(Long.parseLong(m.group(1), 16), OptionalLong.empty()));
        }
        return Optional.empty();
    }

    private static String check(String head) {
        CRC32 crc = new CRC32();
        crc.update(head.getBytes(StandardCharsets.US_ASCII));
        return String.format("%08x", crc.getValue());
    }
}
