package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Every command documents itself: examples and exit codes in --help, and a completion script. */
class HelpTest {
    private static String run(String... args) {
        CliHarness.Outcome outcome = CliHarness.wharf(args);
        assertEquals(0, outcome.exitCode(), String.join(" ", args));
        return outcome.out();
    }

    @Test
    void everyCommandsHelp_hasExamplesAndExitCodes() {
        CommandLine all = WharfCommand.commandLine(new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()));
        for (Map.Entry<String, CommandLine> sub : all.getSubcommands().entrySet()) {
            if (sub.getKey().equals("help")) {
                continue;
            }
            String help = run(sub.getKey(), "--help");
            assertTrue(help.contains("Examples:\n  "), sub.getKey() + ":\n" + help);
            assertTrue(help.substring(help.indexOf("Examples:")).contains("wharf " + sub.getKey()),
                    sub.getKey() + ":\n" + help);
            assertTrue(help.contains("Exit codes:"), sub.getKey() + ":\n" + help);
        }
        String top = run("--help");
        assertTrue(top.contains("2     an option's value is invalid"), top);
        assertTrue(top.contains("125   unknown flag, or a flag without its value"), top);
        for (String name : all.getSubcommands().keySet()) {
            assertTrue(top.contains("  " + name + " "), "wharf --help lists " + name + ":\n" + top);
        }
    }

    @Test
    void completionScript_completesCommandsAndBuildFlags() {
        String script = run("completion", "bash");
        assertTrue(script.startsWith("#!/usr/bin/env bash"), script.substring(0, 40));
        assertTrue(script.contains("complete -F _complete_wharf"), "registers the function");
        assertTrue(script.contains("build") && script.contains("--progress") && script.contains("--no-cache"),
                "knows the commands and their flags");
    }

    @Test
    void aNamedCommand_runsWithOnlyItsOwnModel_andUnknownOnesStillGetSuggestions() {
        assertEquals(1, WharfCommand.forArgs(new String[] {"--debug", "version"}, new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter())).getSubcommands().size());
        assertEquals(0, WharfCommand.forArgs(new String[] {"--version"}, new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter())).getSubcommands().size());
        assertTrue(run("--version").startsWith("wharf "), "--version still prints the version");
        CliHarness.Outcome unknown = CliHarness.wharf("biuld");
        assertEquals(1, unknown.exitCode());
        // picocli's suggestions, in cobra's words, between the docker CLI's two lines.
        assertEquals("wharf: unknown command: wharf biuld\n\nDid you mean this?\n\tpull\n\tbuild\n\n"
                + "Run 'wharf --help' for more information\n", unknown.err());
    }
}
