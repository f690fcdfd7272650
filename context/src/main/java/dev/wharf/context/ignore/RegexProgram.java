package dev.wharf.context.ignore;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The instruction list {@link GoRegexp} runs, while it is being compiled: opcodes, two successor arrays and the
 * character classes. Mutable and confined to one compilation; {@link GoRegexp} copies what it keeps.
 */
final class RegexProgram {

    static final int OP_CLASS = 0;
    static final int OP_SPLIT = 1;
    static final int OP_JMP = 2;
    static final int OP_MATCH = 3;
    static final int OP_BEGIN_TEXT = 4;
    static final int OP_END_TEXT = 5;
    static final int OP_WORD_BOUNDARY = 6;
    static final int OP_NOT_WORD_BOUNDARY = 7;

    /** Upper bound on instructions, so counted repetitions in a hostile pattern cannot exhaust memory. */
    static final int MAX_PROGRAM = 200_000;

    int[] op = new int[16];
    int[] out = new int[16];
    int[] out1 = new int[16];
    final List<int[]> classes = new ArrayList<>();
    int size;
    int start;

    /** Appends an instruction; {@code cls} (for OP_CLASS) is stored and its index kept in out1. */
    int add(int code, int o, int o1, int[] cls) {
        if (size == MAX_PROGRAM) {
            throw new TooLarge();
        }
        if (size == op.length) {
            op = Arrays.copyOf(op, size * 2);
            out = Arrays.copyOf(out, size * 2);
            out1 = Arrays.copyOf(out1, size * 2);
        }
        op[size] = code;
        out[size] = o;
        out1[size] = o1;
        if (cls != null) {
            classes.add(cls);
            out1[size] = classes.size() - 1;
        }
        return size++;
    }

    void patch(int pc, int target) {
        out[pc] = target;
    }

    /** Signals that a program outgrew {@link #MAX_PROGRAM}; caught by {@link GoRegexp#compile}. */
    static final class TooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooLarge() {
            super(null, null, false, false);
        }
    }
}
