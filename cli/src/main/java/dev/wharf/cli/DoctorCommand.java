package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.flag;
import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.value;

import dev.wharf.builder.api.EngineException;
import dev.wharf.builder.doctor.DoctorReport;
import dev.wharf.builder.doctor.StoreDoctor;
import dev.wharf.layers.store.StoreProblem;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code wharf doctor [--repair]}: checks the store ({@link StoreDoctor}) and prints one line per problem, then a
 * summary; exits 1 while problems remain unrepaired.
 */
final class DoctorCommand implements Callable<Integer> {
    boolean repair;
    StoreRootOption store;
    CommandSpec spec;

    /** A new {@code doctor} command and its model. */
    static CommandSpec model() {
        DoctorCommand command = new DoctorCommand();
        CommandSpec spec = CommandModel.command(command, "doctor",
                lines("Check the local store and repair what is safe to repair.",
                        "Verifies every blob against its digest, every image's manifests, configs and layers, and "
                                + "the build cache's references to layers; looks for staged files of interrupted "
                                + "writes, and for snapshots, sandbox state, mounts and processes that killed builds "
                                + "left.",
                        "With --repair, deletes corrupt blobs, stray files and dangling cache records and removes "
                                + "stale state. A missing blob of an image cannot be repaired: build, pull or load "
                                + "the image again."),
                lines("0:the store is healthy (or every problem was repaired)",
                        "1:problems remain, or the store could not be read",
                        "2:usage error", ExitCodes.FLAG_HELP),
                "  wharf doctor",
                "  wharf doctor --repair");
        command.spec = spec;
        spec.addOption(flag("repair", "--repair")
                .description("Repair what is safe to repair.")
                .build());
        spec.addMixin(StoreRootOption.MIXIN, StoreRootOption.mixin());
        return CommandModel.withStandardHelp(spec);
    }

    /** Puts the values the model parsed (or its defaults) into the fields. */
    private void read() {
        repair = value(spec, "--repair");
        store = StoreRootOption.of(spec);
    }

    @Override
    public Integer call() {
        read();
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        try {
            DoctorReport report = StoreDoctor.examine(store.resolve(), repair);
            for (StoreProblem problem : report.problems()) {
                out.println((problem.repaired() ? "repaired " : "problem  ")
                        + problem.kind().name().toLowerCase(Locale.ROOT).replace('_', '-') + " "
                        + problem.subject() + ": " + problem.detail());
            }
            int left = report.unrepaired().size();
            int fixed = report.problems().size() - left;
            if (report.othersAlive()) {
                out.println("note: other wharf processes use this store; their snapshots and mounts were not "
                        + "checked");
            }
            out.println(report.problems().isEmpty() ? "store " + report.root() + " is healthy"
                    : "store " + report.root() + ": " + fixed + " repaired, " + left + " remaining"
                            + (left > 0 && !repair ? " (run wharf doctor --repair)" : ""));
            out.flush();
            return left == 0 ? ExitCodes.OK : ExitCodes.FAILED;
        } catch (EngineException e) {
            err.println("wharf doctor: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILED;
        }
    }
}
