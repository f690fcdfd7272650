package dev.wharf.builder.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A {@code COPY/ADD --chmod} value: octal ({@code 0755}) replaces the permission bits; symbolic
 * ({@code u=rwx,go=rx}, {@code a+X}) changes each file's own bits as BuildKit does: fsutil's copy applies
 * {@code mode.ParseWithUmask(s, 0)} of tonistiigi/dchapes-mode, BSD {@code setmode(3)} semantics with the Linux
 * meaning of {@code X} (moby/buildkit#5850). Its quirks are kept: no "who" means all; {@code X} is execute for
 * directories and files with any execute bit before the change, with {@code +} and {@code =}, and plain execute with
 * {@code -}; {@code s} and {@code t} count only with no "who" or one naming {@code u}, {@code g} or {@code a}, and
 * {@code t} then narrows the clause's "who" to the sticky bit alone ({@code +rwxt} only sets the sticky bit);
 * {@code u}/{@code g}/{@code o} as permissions copy that class's rwx bits, and {@code =} with them leaves the set-id
 * bits alone.
 *
 * <p>Immutable and thread-safe.
 */
public final class Chmod {
    private static final int SETUID = 04000;
    private static final int SETGID = 02000;
    private static final int STICKY = 01000;
    private static final int STANDARD_BITS = SETUID | SETGID | 0777;
    private static final int EXECUTE = 0111;
    /** Copy command flags (dchapes-mode's cmd2): clear and/or set, into the user, group and other classes. */
    private static final int CLEAR = 1;
    private static final int SET = 2;
    private static final int GROUP_BITS = 4;
    private static final int OTHER_BITS = 8;
    private static final int USER_BITS = 16;

    /** One step of a symbolic mode: {@code +}, {@code -}, {@code X}, or a class copy {@code u}, {@code g}, {@code o}. */
    private record Command(char op, int flags, int bits) {
    }

    private final String spec;
    private final Integer octal;
    private final List<Command> commands;

    private Chmod(String spec, Integer octal, List<Command> commands) {
        this.spec = spec;
        this.octal = octal;
        this.commands = List.copyOf(commands);
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
                return new Chmod(spec, Integer.parseInt(digits, 8), List.of());
            }
            throw nonOctal(spec);
        }
        if (!spec.isEmpty() && Character.isDigit(spec.charAt(0))) {
            throw nonOctal(spec);
        }
        return new Chmod(spec, null, new SymbolicParser(spec).parse());
    }

    /**
     * The mode of directories a COPY/ADD creates (missing parents of the destination, the root of a directory
     * copy): an octal {@code --chmod} applies to them too, a symbolic one does not (0755), as in fsutil since
     * tonistiigi/fsutil#228 (BuildKit 0.21, which fixed moby/buildkit#4945; copy.go {@code MkdirAll(..., ci.Mode)}).
     * Only its permission bits: fsutil hands the raw octal to {@code os.Mkdir} and {@code os.Chmod} as a Go
     * {@code os.FileMode}, whose set-id and sticky flags are other bits than 04000/02000/01000, so
     * {@code --chmod=4755} makes its missing parents 0755 while the copied file is 04755 (copy_unix.go maps those
     * bits only for the copied entries).
     */
    public int createdDirectoryMode() {
        return octal != null ? octal & 0777 : 0755;
    }

    /** The permission bits (with set-id and sticky bits) of a file whose current bits are {@code mode}. */
    public int apply(int mode, boolean directory) {
        if (octal != null) {
            return octal;
        }
        int original = mode & 07777;
        int result = original;
        for (Command c : commands) {
            switch (c.op) {
                case 'u' -> result = copyClass(c, result, (result & 0700) >> 6);
                case 'g' -> result = copyClass(c, result, (result & 0070) >> 3);
                case 'o' -> result = copyClass(c, result, result & 0007);
                case '+' -> result |= c.bits;
                case '-' -> result &= ~c.bits;
                default -> {
                    // X looks at the mode before any change, as setmode's getmode does.
                    if ((original & EXECUTE) != 0 || directory) {
                        result |= c.bits;
                    }
                }
            }
        }
        return result & 07777;
    }

    private static int copyClass(Command c, int mode, int value) {
        int result = mode;
        if ((c.flags & CLEAR) != 0) {
            // With '=' the whole rwx of the target class goes first; with '-' only the copied bits.
            int clear = (c.flags & SET) != 0 ? 07 : value;
            result &= ~(classBits(c.flags, clear) & c.bits);
        }
        if ((c.flags & SET) != 0) {
            result |= classBits(c.flags, value) & c.bits;
        }
        return result;
    }

    private static int classBits(int flags, int rwx) {
        return ((flags & USER_BITS) != 0 ? rwx << 6 : 0) | ((flags & GROUP_BITS) != 0 ? rwx << 3 : 0)
                | ((flags & OTHER_BITS) != 0 ? rwx : 0);
    }

    /** Turns a symbolic mode into commands, clause by clause, as dchapes-mode's {@code ParseWithUmask(s, 0)}. */
    private static final class SymbolicParser {
        private final String spec;
        private final List<Command> commands = new ArrayList<>();
        private int pos;

        SymbolicParser(String spec) {
            this.spec = spec;
        }

        List<Command> parse() {
            if (spec.isEmpty()) {
                throw invalid(spec);
            }
            boolean equalOpDone = false;
            while (true) {
                int who = 0;
                while (true) {
                    if (pos >= spec.length()) {
                        throw invalid(spec);
                    }
                    int bits = switch (spec.charAt(pos)) {
                        case 'a' -> STANDARD_BITS;
                        case 'u' -> SETUID | 0700;
                        case 'g' -> SETGID | 0070;
                        case 'o' -> 0007;
                        default -> -1;
                    };
                    if (bits < 0) {
                        break;
                    }
                    who |= bits;
                    pos++;
                }
                // One or more operations follow ("u+r-w"); a comma starts the next clause.
                while (true) {
                    char op = spec.charAt(pos++);
                    if (op == '=') {
                        equalOpDone = false;
                    } else if (op != '+' && op != '-') {
                        throw invalid(spec);
                    }
                    who &= ~STICKY;
                    equalOpDone = permissions(op, who, equalOpDone);
                    if (pos >= spec.length()) {
                        return commands;
                    }
                    if (spec.charAt(pos) == ',') {
                        pos++;
                        break;
                    }
                }
            }
        }

        /** The permission letters after one operator; returns the updated "= already emitted" state. */
        private boolean permissions(char op, int whoIn, boolean equalOpDoneIn) {
            int who = whoIn;
            boolean equalOpDone = equalOpDoneIn;
            int perm = 0;
            int permX = 0;
            for (;; pos++) {
                char b = pos < spec.length() ? spec.charAt(pos) : 0;
                boolean setIdAllowed = who == 0 || (who & ~0007) != 0;
                switch (b) {
                    case 'r' -> perm |= 0444;
                    case 'w' -> perm |= 0222;
                    case 'x' -> perm |= EXECUTE;
                    case 'X' -> {
                        if (op != '-') {
                            permX = EXECUTE;
                        } else {
                            perm |= EXECUTE;
                        }
                    }
                    case 's' -> perm |= setIdAllowed ? SETUID | SETGID : 0;
                    case 't' -> {
                        if (setIdAllowed) {
                            who |= STICKY;
                            perm |= STICKY;
                        }
                    }
                    case 'u', 'g', 'o' -> {
                        if (perm != 0) {
                            add(op, who, perm);
                            perm = 0;
                        }
                        if (op == '=') {
                            equalOpDone = true;
                        }
                        if (permX != 0) {
                            add('X', who, permX);
                            permX = 0;
                        }
                        addCopy(b, who, op);
                    }
                    default -> {
                        if (perm != 0 || (op == '=' && !equalOpDone)) {
                            if (op == '=') {
                                equalOpDone = true;
                            }
                            add(op, who, perm);
                        }
                        if (permX != 0) {
                            add('X', who, permX);
                        }
                        return equalOpDone;
                    }
                }
            }
        }

        private void add(char op, int who, int perm) {
            char effective = op;
            if (op == '=') {
                commands.add(new Command('-', 0, who != 0 ? who : STANDARD_BITS));
                effective = '+';
            }
            // With umask 0 the mask keeps every bit, so no "who" applies the permissions to all classes.
            commands.add(new Command(effective, 0, who != 0 ? who & perm : perm));
        }

        private void addCopy(char from, int who, char op) {
            int flags = who == 0 ? USER_BITS | GROUP_BITS | OTHER_BITS
                    : ((who & 0400) != 0 ? USER_BITS : 0) | ((who & 0040) != 0 ? GROUP_BITS : 0)
                            | ((who & 0004) != 0 ? OTHER_BITS : 0);
            flags |= switch (op) {
                case '+' -> SET;
                case '-' -> CLEAR;
                default -> SET | CLEAR;
            };
            commands.add(new Command(from, flags, ~0));
        }
    }

    private static IllegalArgumentException nonOctal(String spec) {
        return new IllegalArgumentException("invalid chmod parameter: '" + spec
                + "'. it should be octal string and between 0 and 07777");
    }

    private static IllegalArgumentException invalid(String spec) {
        // dchapes-mode's ErrSyntax ("invalid syntax") is all BuildKit says; the rest is wharf's hint.
        return new IllegalArgumentException("invalid syntax: --chmod=" + spec
                + " is neither an octal mode (0755) nor a symbolic one (u=rwx,go=rx)");
    }

    @Override
    public String toString() {
        return spec;
    }
}
