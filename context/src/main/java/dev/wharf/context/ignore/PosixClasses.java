package dev.wharf.context.ignore;

/**
 * The ASCII class tables of Go's regexp/syntax (perl_groups.go): POSIX {@code [:name:]} groups and the Perl
 * {@code \d \s \w} escapes, as inclusive code-point ranges. Stateless.
 */
final class PosixClasses {

    private PosixClasses() {
    }

    /** Ranges of a POSIX group name without brackets or colons, or null if Go does not know the name. */
    static int[] ranges(String name) {
        return switch (name) {
            case "alnum" -> new int[] {'0', '9', 'A', 'Z', 'a', 'z'};
            case "alpha" -> new int[] {'A', 'Z', 'a', 'z'};
            case "ascii" -> new int[] {0, 0x7F};
            case "blank" -> new int[] {'\t', '\t', ' ', ' '};
            case "cntrl" -> new int[] {0, 0x1F, 0x7F, 0x7F};
            case "digit" -> new int[] {'0', '9'};
            case "graph" -> new int[] {'!', '~'};
            case "lower" -> new int[] {'a', 'z'};
            case "print" -> new int[] {' ', '~'};
            case "punct" -> new int[] {'!', '/', ':', '@', '[', '`', '{', '~'};
            case "space" -> new int[] {'\t', '\r', ' ', ' '};
            case "upper" -> new int[] {'A', 'Z'};
            case "word" -> new int[] {'0', '9', 'A', 'Z', 'a', 'z', '_', '_'};
            case "xdigit" -> new int[] {'0', '9', 'A', 'F', 'a', 'f'};
            default -> null;
        };
    }

    /** Ranges of the Perl class escape letter (d, s, w or upper case for the negation), or null. */
    static int[] perl(int letter) {
        return switch (letter) {
            case 'd', 'D' -> new int[] {'0', '9'};
            // Go's \s is [\t\n\f\r ] (no \v), unlike [:space:].
            case 's', 'S' -> new int[] {'\t', '\n', '\f', '\r', ' ', ' '};
            case 'w', 'W' -> new int[] {'0', '9', 'A', 'Z', 'a', 'z', '_', '_'};
            default -> null;
        };
    }
}
