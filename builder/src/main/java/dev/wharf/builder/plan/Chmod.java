package dev.wharf.builder.plan;

import java.util.Objects;

/**
 * A {@code COPY/ADD --chmod} value: octal ({@code 0755}) replaces the permission bits; symbolic
 * ({@code u=rwx,go=rx}, {@code a+X}) changes each file's own bits the way chmod(1) does with a zero umask, which
 * is how BuildKit applies it (fsutil's copy with {@code mode.ParseWithUmask(s, 0)}, BSD {@code setmode}
 * semantics: no "who" means all, {@code X} is execute for directories and already executable files,
 * {@code s}/{@code t} the set-id and sticky bits, {@code u}/{@code g}/{@code o} as permissions copy that class).
 *
 * <p>Immutable and thread-safe.
 */
public final class Chmod {
    private static final int USER = 0700;
    private static final int GROUP = 0070;
    private static final int OTHER = 0007;
    private static final int SETUID = 04000;
    private static final int SETGID = 02000;
    private static final int STICKY = 01000;

    private final String spec;
    private final Integer octal;

    private Chmod(String spec, Integer octal) {
        this.spec = spec;
        this.octal = octal;
    }

    /**
     * Parses a {@code --chmod} value.
     *
     * @throws IllegalArgumentException when it is neither an octal mode nor a valid symbolic mode
     */
    public static Chmod parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        // convert_copy.go: strconv.ParseUint(chmod, 8, 32) first, so any number of octal digits (00644) is
        // octal; above 07777, or numeric-looking but not octal (999, 64a: dchapes-mode's ParseInt fails with a
        // NumError), it is BuildKit's nonOctalErr.
        if (spec.matches("[0-7]+")) {
            String digits = spec.replaceFirst("^0+(?=.)", "");
            if (digits.length() <= 4 && Integer.parseInt(digits, 8) <= 07777) {
                return new Chmod(spec, Integer.parseInt(digits, 8));
            }
            throw nonOctal(spec);
        }
        if (!spec.isEmpty() && Character.isDigit(spec.charAt(0))) {
            throw nonOctal(spec);
        }
        Chmod symbolic = new Chmod(spec, null);
        symbolic.apply(0644, false);
        return symbolic;
    }

    /**
     * The mode of directories a COPY/ADD creates (missing parents of the destination, the root of a directory
     * copy): an octal {@code --chmod} applies to them too, a symbolic one does not (0755), as in fsutil since
     * tonistiigi/fsutil#228 (BuildKit 0.21, which fixed moby/buildkit#4945; copy.go {@code MkdirAll(..., ci.Mode)}).
     */
    public int createdDirectoryMode() {
        return octal != null ? octal : 0755;
    }

    /** The permission bits (with set-id and sticky bits) of a file whose current bits are {@code mode}. */
    public int apply(int mode, boolean directory) {
        if (octal != null) {
            return octal;
        }
        int result = mode & 07777;
        for (String clause : spec.split(",", -1)) {
            result = clause(clause, result, directory || (mode & 0111) != 0);
        }
        return result;
    }

    private int clause(String clause, int mode, boolean executable) {
        int i = 0;
        int who = 0;
        while (i < clause.length() && "ugoa".indexOf(clause.charAt(i)) >= 0) {
            who |= switch (clause.charAt(i)) {
                case 'u' -> USER | SETUID;
                case 'g' -> GROUP | SETGID;
                case 'o' -> OTHER;
                default -> USER | GROUP | OTHER | SETUID | SETGID;
            };
            i++;
        }
        boolean all = who == 0;
        if (all) {
            who = USER | GROUP | OTHER | SETUID | SETGID;
        }
        if (i >= clause.length()) {
            throw invalid();
        }
        int result = mode;
        while (i < clause.length()) {
            char op = clause.charAt(i++);
            if (op != '+' && op != '-' && op != '=') {
                throw invalid();
            }
            int bits = 0;
            while (i < clause.length() && "+-=".indexOf(clause.charAt(i)) < 0) {
                char p = clause.charAt(i++);
                bits |= switch (p) {
                    case 'r' -> 0444;
                    case 'w' -> 0222;
                    case 'x' -> 0111;
                    case 'X' -> executable ? 0111 : 0;
                    case 's' -> SETUID | SETGID;
                    case 't' -> all || (who & OTHER) != 0 ? STICKY : 0;
                    case 'u' -> spread((result & USER) >> 6);
                    case 'g' -> spread((result & GROUP) >> 3);
                    case 'o' -> spread(result & OTHER);
                    default -> throw invalid();
                };
            }
            int mask = who | ((bits & STICKY) != 0 ? STICKY : 0);
            switch (op) {
                case '+' -> result |= bits & mask;
                case '-' -> result &= ~(bits & mask);
                default -> result = (result & ~(who & ~0)) | (bits & mask);
            }
        }
        return result;
    }

    private static int spread(int rwx) {
        return rwx << 6 | rwx << 3 | rwx;
    }

    private static IllegalArgumentException nonOctal(String spec) {
        return new IllegalArgumentException("invalid chmod parameter: '" + spec
                + "'. it should be octal string and between 0 and 07777");
    }

    private IllegalArgumentException invalid() {
        // dchapes-mode's ErrSyntax ("invalid syntax") is all BuildKit says; the rest is wharf's hint.
        return new IllegalArgumentException("invalid syntax: --chmod=" + spec
                + " is neither an octal mode (0755) nor a symbolic one (u=rwx,go=rx)");
    }

    @Override
    public String toString() {
        return spec;
    }
}
