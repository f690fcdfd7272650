package dev.wharf.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wharf version}: prints the version of wharf and of the Java runtime. */
@Command(name = "version", mixinStandardHelpOptions = true, description = "Show the wharf version.",
        exitCodeListHeading = "%nExit codes:%n", exitCodeList = {"0:printed"},
        footerHeading = "%nExamples:%n", footer = {"  wharf version", "  wharf --version"})
final class VersionCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        for (String line : new VersionProvider().getVersion()) {
            spec.commandLine().getOut().println(line);
        }
        return ExitCodes.OK;
    }
}
