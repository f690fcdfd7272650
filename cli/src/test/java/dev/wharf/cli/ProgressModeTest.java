package dev.wharf.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** How --progress values are read and what auto becomes. */
class ProgressModeTest {
    @Test
    void auto_isTtyOnlyOnAConsoleWithARealTerminal() {
        assertEquals(ProgressMode.TTY, ProgressMode.AUTO.resolve(true, Map.of("TERM", "xterm-256color")));
        assertEquals(ProgressMode.PLAIN, ProgressMode.AUTO.resolve(true, Map.of("TERM", "dumb")));
        assertEquals(ProgressMode.PLAIN, ProgressMode.AUTO.resolve(true, Map.of()));
        assertEquals(ProgressMode.PLAIN, ProgressMode.AUTO.resolve(false, Map.of("TERM", "xterm")));
        assertEquals(ProgressMode.RAWJSON, ProgressMode.RAWJSON.resolve(true, Map.of("TERM", "xterm")));
    }

    @Test
    void names_areBuildKits_andUnknownOnesAreEmpty() {
        assertEquals(Optional.of(ProgressMode.RAWJSON), ProgressMode.parse("rawjson"));
        assertEquals(Optional.of(ProgressMode.TTY), ProgressMode.parse("tty"));
        // buildx compares the names as given: TTY and Plain are "invalid progress mode".
        assertEquals(Optional.empty(), ProgressMode.parse("TTY"));
        assertEquals(Optional.empty(), ProgressMode.parse("Plain"));
        assertEquals(Optional.of(ProgressMode.NONE), ProgressMode.parse("none"));
        assertEquals(Optional.empty(), ProgressMode.parse("fancy"));
        // buildx's default mode is "": --progress "$P" with P unset builds with auto.
        assertEquals(Optional.of(ProgressMode.AUTO), ProgressMode.parse(""));
    }

    @Test
    void terminalSize_comesFromColumnsAndLines() {
        assertEquals(new TerminalSize(50, 20), TerminalSize.detect(Map.of("COLUMNS", "50", "LINES", "20")));
    }
}
