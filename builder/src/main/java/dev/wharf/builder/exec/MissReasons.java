package dev.wharf.builder.exec;

import dev.wharf.builder.plan.Step;
import dev.wharf.cache.CacheMissReason;
import dev.wharf.cache.InputChange;
import dev.wharf.cache.MissExplanation;
import dev.wharf.grammar.instructions.CopyInstruction;
import dev.wharf.grammar.instructions.Mount;
import dev.wharf.grammar.parser.Word;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code --explain-cache} sentences of a step's miss, with the cache key's source names ({@code mount0},
 * {@code from}) replaced by what the Dockerfile calls them: the keys stay short and stable, the user reads which
 * mount or which stage changed. Stateless.
 */
final class MissReasons {
    private static final Pattern MOUNT = Pattern.compile("mount(\\d+)");

    private MissReasons() {
    }

    static List<String> of(MissExplanation explanation, Step step) {
        return explanation.changes().stream().map(c -> readable(c, step).describe()).toList();
    }

    static InputChange readable(InputChange change, Step step) {
        if (change.reason() != CacheMissReason.CONTENT_CHANGED) {
            return change;
        }
        String subject = change.subject();
        Matcher m = MOUNT.matcher(subject);
        if (m.matches() && Integer.parseInt(m.group(1)) < step.mounts().size()) {
            // Keys name a mount's checksum by its place in the exec op's order (MountKeys.checksums).
            Mount mount = step.mounts().get(MountKeys.order(step).get(Integer.parseInt(m.group(1))));
            String from = mount.from().isEmpty() ? "context" : mount.from();
            String source = mount.source().isEmpty() ? "." : mount.source();
            subject = mount.type().name().toLowerCase(java.util.Locale.ROOT) + " mount at " + mount.target()
                    + " (" + from + ":" + source + ")";
        } else if (subject.equals("from") && step.instruction() instanceof CopyInstruction copy
                && copy.from().isPresent()) {
            subject = "--from=" + copy.from().map(Word::text).orElseThrow();
        }
        return subject.equals(change.subject()) ? change
                : new InputChange(change.reason(), subject, change.before(), change.after());
    }
}
