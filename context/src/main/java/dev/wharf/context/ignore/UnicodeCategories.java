package dev.wharf.context.ignore;

import java.util.Locale;

/**
 * Unicode general categories and scripts for Go's {@code \pX} classes, computed from the JDK's Unicode tables. The
 * JDK's Unicode version may differ slightly from Go's; only patterns that name a category are affected. Stateless.
 */
final class UnicodeCategories {

    private static final int MAX_RUNE = 0x10FFFF;

    private UnicodeCategories() {
    }

    /** Ranges for a Go category or script name ("L", "Lu", "Greek", "Any"), or null if Go would not know it. */
    static int[] ranges(String name) {
        if (name.equals("Any")) {
            return new int[] {0, MAX_RUNE};
        }
        long mask = categoryMask(name);
        Character.UnicodeScript script = null;
        if (mask == 0) {
            if (name.isEmpty() || !Character.isUpperCase(name.charAt(0))) {
                return null;
            }
            try {
                script = Character.UnicodeScript.forName(name.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
        RangeSet set = new RangeSet();
        int runStart = -1;
        for (int c = 0; c <= MAX_RUNE + 1; c++) {
            boolean in = c <= MAX_RUNE
                    && (script != null ? Character.UnicodeScript.of(c) == script
                    : (mask & (1L << Character.getType(c))) != 0);
            if (in && runStart < 0) {
                runStart = c;
            } else if (!in && runStart >= 0) {
                set.add(runStart, c - 1);
                runStart = -1;
            }
        }
        return set.toRanges();
    }

    private static long categoryMask(String name) {
        return switch (name) {
            case "L" -> bits(Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                    Character.MODIFIER_LETTER, Character.OTHER_LETTER);
            case "Lu" -> bits(Character.UPPERCASE_LETTER);
            case "Ll" -> bits(Character.LOWERCASE_LETTER);
            case "Lt" -> bits(Character.TITLECASE_LETTER);
            case "Lm" -> bits(Character.MODIFIER_LETTER);
            case "Lo" -> bits(Character.OTHER_LETTER);
            case "M" -> bits(Character.NON_SPACING_MARK, Character.COMBINING_SPACING_MARK,
                    Character.ENCLOSING_MARK);
            case "Mn" -> bits(Character.NON_SPACING_MARK);
            case "Mc" -> bits(Character.COMBINING_SPACING_MARK);
            case "Me" -> bits(Character.ENCLOSING_MARK);
            case "N" -> bits(Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER);
            case "Nd" -> bits(Character.DECIMAL_DIGIT_NUMBER);
            case "Nl" -> bits(Character.LETTER_NUMBER);
            case "No" -> bits(Character.OTHER_NUMBER);
            case "P" -> bits(Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION,
                    Character.START_PUNCTUATION, Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
                    Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION);
            case "Pc" -> bits(Character.CONNECTOR_PUNCTUATION);
            case "Pd" -> bits(Character.DASH_PUNCTUATION);
            case "Ps" -> bits(Character.START_PUNCTUATION);
            case "Pe" -> bits(Character.END_PUNCTUATION);
            case "Pi" -> bits(Character.INITIAL_QUOTE_PUNCTUATION);
            case "Pf" -> bits(Character.FINAL_QUOTE_PUNCTUATION);
            case "Po" -> bits(Character.OTHER_PUNCTUATION);
            case "S" -> bits(Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                    Character.OTHER_SYMBOL);
            case "Sm" -> bits(Character.MATH_SYMBOL);
            case "Sc" -> bits(Character.CURRENCY_SYMBOL);
            case "Sk" -> bits(Character.MODIFIER_SYMBOL);
            case "So" -> bits(Character.OTHER_SYMBOL);
            case "Z" -> bits(Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR);
            case "Zs" -> bits(Character.SPACE_SEPARATOR);
            case "Zl" -> bits(Character.LINE_SEPARATOR);
            case "Zp" -> bits(Character.PARAGRAPH_SEPARATOR);
            // Go's C has no unassigned code points (Cn).
            case "C" -> bits(Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE);
            case "Cc" -> bits(Character.CONTROL);
            case "Cf" -> bits(Character.FORMAT);
            case "Co" -> bits(Character.PRIVATE_USE);
            case "Cs" -> bits(Character.SURROGATE);
            default -> 0;
        };
    }

    private static long bits(int... types) {
        long m = 0;
        for (int t : types) {
            m |= 1L << t;
        }
        return m;
    }
}
