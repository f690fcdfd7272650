package dev.wharf.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The size of the terminal the tty progress draws on, in character cells. Immutable.
 *
 * @param columns the width; lines are cut to {@code columns - 1}
 * @param rows    the height; a live frame shows at most {@code rows - 2} steps and output lines
 */
record TerminalSize(int columns, int rows) {
    /** BuildKit's defaults when the console size is unknown. */
    static final TerminalSize DEFAULT = new TerminalSize(80, 10);

    TerminalSize {
        columns = Math.max(columns, 1);
        rows = Math.max(rows, 1);
    }

    /**
     * The size from {@code COLUMNS}/{@code LINES} when set, else from {@code stty size} on {@code /dev/tty},
     * else {@link #DEFAULT}.
     */
    static TerminalSize detect(Map<String, String> env) {
        int columns = number(env.get("COLUMNS"));
        int rows = number(env.get("LINES"));
        if (columns <= 0 || rows <= 0) {
            int[] stty = stty();
            columns = columns > 0 ? columns : stty[1] > 0 ? stty[1] : DEFAULT.columns();
            rows = rows > 0 ? rows : stty[0] > 0 ? stty[0] : DEFAULT.rows();
        }
        return new TerminalSize(columns, rows);
    }

    /**
     * Whether standard error is a terminal. {@link System#console()} answers for standard input and output only, so
     * {@code wharf build . > id.txt} in a terminal would lose the live view; BuildKit looks at standard error. Asks
     * {@code test -t 2} with this process's standard error inherited (only when a terminal is plausible).
     */
    static boolean stderrIsTerminal() {
        return isTerminal(2);
    }

    /**
     * Whether standard output is a terminal: buildx refuses to write a tarball there (build/opt.go,
     * "refusing to write to console").
     */
    static boolean stdoutIsTerminal() {
        return isTerminal(1);
    }

    /** Asks {@code test -t FD} with this process's standard output or error (FD 1 or 2) inherited. */
    private static boolean isTerminal(int fd) {
        try {
            ProcessBuilder builder = new ProcessBuilder("sh", "-c", "test -t " + fd);
            if (fd == 1) {
                builder.redirectOutput(ProcessBuilder.Redirect.INHERIT).redirectError(ProcessBuilder.Redirect.DISCARD);
            } else {
                builder.redirectError(ProcessBuilder.Redirect.INHERIT).redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            Process test = builder.start();
            return test.waitFor(2, TimeUnit.SECONDS) && test.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int[] stty() {
        try {
            Process stty = new ProcessBuilder("sh", "-c", "stty size < /dev/tty")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String text = new String(stty.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            if (!stty.waitFor(2, TimeUnit.SECONDS) || stty.exitValue() != 0) {
                stty.destroy();
                return new int[] {0, 0};
            }
            String[] parts = text.split("\\s+");
            return parts.length == 2 ? new int[] {number(parts[0]), number(parts[1])} : new int[] {0, 0};
        } catch (IOException e) {
            return new int[] {0, 0};
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new int[] {0, 0};
        }
    }

    private static int number(String text) {
        if (text == null) {
            return 0;
        }
        try {
            return Integer.parseInt(text.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
