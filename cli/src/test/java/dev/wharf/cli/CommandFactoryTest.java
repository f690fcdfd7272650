package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@link CommandModel#FACTORY} makes what picocli's default factory makes. */
class CommandFactoryTest {

    @Test
    void aListOptionGetsAnArrayListAndOtherTypesWhatTheDefaultFactoryMakes() throws Exception {
        assertEquals(ArrayList.class, CommandModel.FACTORY.create(List.class).getClass());
        assertEquals(LinkedHashMap.class, CommandModel.FACTORY.create(Map.class).getClass());
        assertInstanceOf(CommandLine.HelpCommand.class, CommandModel.FACTORY.create(CommandLine.HelpCommand.class));
    }

    @Test
    void repeatedListOptionsCollectEveryValueThroughTheCommandLine() {
        CommandLine commandLine = WharfCommand.forArgs(new String[] {"build"}, new java.io.PrintWriter(
                java.io.OutputStream.nullOutputStream()), new java.io.PrintWriter(java.io.OutputStream.nullOutputStream()));
        CommandLine.ParseResult parsed = commandLine.parseArgs("build", "-t", "a", "-t", "b", ".");
        assertEquals(List.of("a", "b"), parsed.subcommand().matchedOptionValue("-t", List.of()));
    }
}
