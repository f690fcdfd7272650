package dev.wharf.builder.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.grammar.SourceRange;
import dev.wharf.grammar.instructions.CommandLine;
import dev.wharf.grammar.instructions.InlineFile;
import dev.wharf.grammar.parser.Word;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunCommandTest {
    private static final List<String> SHELL = List.of("/bin/sh", "-c");

    private static CommandLine heredoc(String command, InlineFile file) {
        return new CommandLine(List.of(new Word(command, SourceRange.ofLines(1, 1))), true, List.of(file));
    }

    @Test
    void oneHeredocWithAShebang_runsTheMountedScriptFile() {
        CommandLine run = heredoc("<<EOF", new InlineFile("EOF", "#!/usr/bin/env python3\nprint('hi')\n", false));
        assertEquals(List.of("/bin/sh", "-c", "/dev/pipes/EOF"), RunCommand.argv(run, SHELL));
        assertEquals("#!/usr/bin/env python3\nprint('hi')\n",
                RunCommand.scriptText(RunCommand.shebangScript(run).orElseThrow()));
    }

    @Test
    void oneHeredocWithoutAShebang_runsItsTextInTheShell() {
        CommandLine run = heredoc("<<-EOF", new InlineFile("EOF", "\techo hi\n", true));
        assertEquals(List.of("/bin/sh", "-c", "echo hi\n"), RunCommand.argv(run, SHELL));
        assertTrue(RunCommand.shebangScript(run).isEmpty());
    }

    @Test
    void aHeredocFedToACommand_isNeverAScriptFile() {
        CommandLine run = heredoc("cat <<EOF", new InlineFile("EOF", "#!/bin/sh\n", false));
        assertTrue(RunCommand.shebangScript(run).isEmpty());
        assertEquals(List.of("/bin/sh", "-c", "cat <<EOF\n#!/bin/sh\nEOF"), RunCommand.argv(run, SHELL));
    }
}
