package dev.wharf.builder.doctor;

import dev.wharf.layers.store.StoreProblem;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link StoreDoctor} found in one store: the problems (each marked repaired or not) and whether other wharf
 * processes were using the store, in which case the state of live builds was left unchecked.
 *
 * <p>An immutable record, thread-safe.
 *
 * @param root the store root
 * @param problems every problem found, repaired or not
 * @param othersAlive whether other wharf processes used the store during the check
 */
public record DoctorReport(Path root, List<StoreProblem> problems, boolean othersAlive) {
    /** Validates and copies. */
    public DoctorReport {
        Objects.requireNonNull(root, "root");
        problems = List.copyOf(problems);
    }

    /** The problems that remain. */
    public List<StoreProblem> unrepaired() {
        return problems.stream().filter(p -> !p.repaired()).toList();
    }

    /** Whether nothing is wrong any more (no problem, or every one repaired). */
    public boolean healthy() {
        return unrepaired().isEmpty();
    }
}
