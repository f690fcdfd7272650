package dev.wharf.cli;

import java.io.PrintWriter;
import java.util.Optional;
import picocli.CommandLine;

/**
 * Entry point of the {@code wharf} command: builds the command tree, runs it, and turns the outcome into
 * an exit code (0 ok, 1 the operation failed, 2 usage error).
 */
public final class Main {

    private Main() {
    }

    public static void main(String[] args) {
        PrintWriter err = new PrintWriter(System.err, true);
        Optional<Integer> rootless = UserNamespaceEntry.run(args, err);
        System.exit(rootless.isPresent() ? rootless.get()
                : run(args, new PrintWriter(System.out, true), err));
    }

    /** Runs wharf with {@code args}, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = WharfCommand.forArgs(args, out, err);
        return commandLine.execute(args);
    }
}
