package dev.wharf.context.ignore;

import java.util.List;

/**
 * A parsed Go regular expression, which compiles itself backwards (continuation-passing: each node gets the
 * instruction that follows it) into a {@link RegexProgram}. Immutable.
 */
sealed interface RegexNode permits RegexNode.ClassNode, RegexNode.EmptyNode, RegexNode.ConcatNode,
        RegexNode.AltNode, RegexNode.RepeatNode, RegexNode.CountedNode {

    /** Emits this node's instructions, continuing at {@code next}; returns the node's entry instruction. */
    int compile(RegexProgram p, int next);

    record ClassNode(int[] ranges) implements RegexNode {
        public int compile(RegexProgram p, int next) {
            return p.add(RegexProgram.OP_CLASS, next, -1, ranges);
        }
    }

    record EmptyNode(int kind) implements RegexNode {
        public int compile(RegexProgram p, int next) {
            return p.add(kind, next, -1, null);
        }
    }

    record ConcatNode(List<RegexNode> parts) implements RegexNode {
        public int compile(RegexProgram p, int next) {
            int pc = next;
            for (int i = parts.size() - 1; i >= 0; i--) {
                pc = parts.get(i).compile(p, pc);
            }
            return pc;
        }
    }

    record AltNode(List<RegexNode> choices) implements RegexNode {
        public int compile(RegexProgram p, int next) {
            int pc = choices.get(choices.size() - 1).compile(p, next);
            for (int i = choices.size() - 2; i >= 0; i--) {
                int first = choices.get(i).compile(p, next);
                pc = p.add(RegexProgram.OP_SPLIT, first, pc, null);
            }
            return pc;
        }
    }

    /** {@code *}, {@code +} or {@code ?} (greediness is irrelevant: only whether a match exists is asked). */
    record RepeatNode(RegexNode sub, char kind) implements RegexNode {
        public int compile(RegexProgram p, int next) {
            if (kind == '?') {
                return p.add(RegexProgram.OP_SPLIT, sub.compile(p, next), next, null);
            }
            int loop = p.add(RegexProgram.OP_SPLIT, -1, next, null);
            int body = sub.compile(p, loop);
            p.patch(loop, body);
            return kind == '*' ? loop : body;
        }
    }

    /** {@code {min,max}} repetition; max -1 means unbounded. */
    record CountedNode(RegexNode sub, int min, int max) implements RegexNode {
        public int compile(RegexProgram p, int next) {
            int pc = next;
            if (max < 0) {
                pc = new RepeatNode(sub, '*').compile(p, pc);
            } else {
                for (int k = min; k < max; k++) {
                    pc = p.add(RegexProgram.OP_SPLIT, sub.compile(p, pc), pc, null); // x? chained max-min times
                }
            }
            for (int k = 0; k < min; k++) {
                pc = sub.compile(p, pc);
            }
            return pc;
        }
    }
}
