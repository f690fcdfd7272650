package dev.wharf.context.ignore;

import java.util.Arrays;

/**
 * Which patterns a directory matched, handed to the matcher for the directory's children (patternmatcher's
 * {@code MatchInfo}): a child of a matched directory matches that pattern without being evaluated. Immutable.
 */
public final class MatchInfo {

    /** No information: the matcher checks parent directories itself. */
    public static final MatchInfo NONE = new MatchInfo(new boolean[0]);

    private final boolean[] parentMatched;

    MatchInfo(boolean[] parentMatched) {
        this.parentMatched = parentMatched;
    }

    int size() {
        return parentMatched.length;
    }

    boolean matched(int pattern) {
        return parentMatched[pattern];
    }

    @Override
    public String toString() {
        return "MatchInfo" + Arrays.toString(parentMatched);
    }
}
