package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class GoTabwriterTest {
    @Test
    void dockerTables_padEachColumnButTheLastToItsWidestCellPlusThree_atLeastTen() {
        StringWriter text = new StringWriter();
        GoTabwriter.printDockerTable(new PrintWriter(text), List.of(
                List.of("REPOSITORY", "TAG", "SIZE"),
                List.of("a-long-repository-name", "", "1.2MB"),
                List.of("alpine", "3.19", "")));
        assertEquals("REPOSITORY               TAG       SIZE\n"
                + "a-long-repository-name             1.2MB\n"
                + "alpine                   3.19      \n", text.toString());
    }

    @Test
    void widths_countRunes_asGoTabwriterDoes() {
        StringWriter text = new StringWriter();
        // U+1F433 is two Java chars and one rune: Go pads it as one column of width.
        GoTabwriter.printDockerTable(new PrintWriter(text), List.of(
                List.of("NAME", "X"),
                List.of("whale-\uD83D\uDC33-image-name", "y")));
        assertEquals("NAME                 X\n" + "whale-\uD83D\uDC33-image-name   y\n", text.toString());
    }
}
