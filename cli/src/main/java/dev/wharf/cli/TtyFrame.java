package dev.wharf.cli;

import dev.wharf.cli.StepBoard.StepView;
import dev.wharf.cli.StepBoard.TransferView;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Renders one frame of the tty progress view from the steps' state, as BuildKit's {@code progressui} tty display
 * does ({@code util/progress/progressui/display.go}, {@code ttyDisplay.print}): a header
 * {@code [+] Building 3.2s (5/9)}, one line per step {@code => CACHED [stage-1 2/8] COPY . .   0.0s} with the timer
 * at the right edge, byte progress of its transfers as {@code => => sha256:... 1.2MB / 3.4MB} and, under a running
 * step, its last output lines dimmed as {@code => => # line}.
 *
 * <p>Every line fits in {@code width - 1} columns, so the terminal never wraps it and redrawing in place can count
 * lines. A frame longer than the terminal drops finished steps from the top first (BuildKit's {@code wrapHeight}),
 * except the final frame, which keeps everything on screen. A pure function of its inputs; stateless.
 */
final class TtyFrame {
    /** Output lines shown under a running step: BuildKit's {@code termHeightInitial}. */
    static final int LOG_LINES = 6;
    static final String BLUE = "\033[34m";
    static final String RED = "\033[31m";
    static final String YELLOW = "\033[33m";
    static final String DIM = "\033[2m";
    static final String RESET = "\033[0m";
    private static final int BAR = 20;

    private TtyFrame() {
    }

    /**
     * The lines of one frame, without line terminators; colours as ANSI SGR sequences when {@code color}.
     *
     * @param finished the build is over: the header says FINISHED (when nothing failed) and no line is dropped
     */
    static List<String> render(List<StepView> steps, long startNanos, long nowNanos, int width, int height,
                               boolean finished, boolean color) {
        int visible = Math.max(width - 1, 1);
        long completed = steps.stream().filter(StepView::done).count();
        boolean failed = steps.stream().anyMatch(s -> s.error().isPresent());
        String header = String.format(Locale.ROOT, "[+] Building %.1fs (%d/%d)%s", seconds(nowNanos - startNanos),
                completed, steps.size(), finished && !failed ? " FINISHED" : "");
        List<List<String>> blocks = new ArrayList<>();
        for (StepView step : steps) {
            blocks.add(block(step, nowNanos, visible, color));
        }
        if (!finished) {
            fit(blocks, steps, Math.max(height - 2, 1));
        }
        List<String> lines = new ArrayList<>();
        lines.add(cut(header, visible));
        blocks.forEach(lines::addAll);
        return lines;
    }

    private static List<String> block(StepView step, long nowNanos, int visible, boolean color) {
        List<String> lines = new ArrayList<>();
        String name = (step.cancelled() ? "CANCELED " : step.error().isPresent() ? "ERROR " : "")
                + (step.cached() ? "CACHED " : "") + oneLine(step.name());
        String line = withTimer(" => " + name, timer(step.startedNanos(), step.endedNanos(), nowNanos), visible);
        lines.add(paint(line, colorOf(step), color));
        for (TransferView transfer : step.transfers()) {
            // progressui/display.go: no status text for a status that counted no bytes.
            String status = transfer.total() > 0
                    ? " " + ByteSizes.buildKit(transfer.current()) + " / " + ByteSizes.buildKit(transfer.total())
                    : transfer.current() != 0 ? " " + ByteSizes.buildKit(transfer.current()) : "";
            String text = " => => " + oneLine(transfer.id()) + status;
            if (transfer.total() > 0 && !transfer.done()) {
                text += " " + bar(transfer.current(), transfer.total());
            }
            String out = withTimer(text, timer(transfer.startedNanos(), transfer.endedNanos(), nowNanos), visible);
            lines.add(paint(out, transfer.done() ? BLUE : null, color));
        }
        for (String warning : step.warnings()) {
            // progressui/display.go: a warning is a job line "WARN: ..." timed like its step, coloured as a
            // cancelled one (yellow).
            String text = withTimer(" => WARN: " + oneLine(warning),
                    timer(step.startedNanos(), step.endedNanos(), nowNanos), visible);
            lines.add(paint(text, YELLOW, color));
        }
        if (!step.done()) {
            List<String> tail = step.logTail();
            for (String log : tail.subList(Math.max(tail.size() - LOG_LINES, 0), tail.size())) {
                lines.add(paint(cut(" => => # " + oneLine(log), visible), DIM, color));
            }
        }
        return lines;
    }

    /** Drops finished steps from the top, then output lines, until the frame fits {@code limit} lines. */
    private static void fit(List<List<String>> blocks, List<StepView> steps, int limit) {
        int total = blocks.stream().mapToInt(List::size).sum();
        for (int i = 0; i < blocks.size() && total > limit; i++) {
            if (steps.get(i).done() && !blocks.get(i).isEmpty()) {
                total -= blocks.get(i).size();
                blocks.set(i, List.of());
            }
        }
        for (int i = blocks.size() - 1; i >= 0 && total > limit; i--) {
            List<String> block = blocks.get(i);
            if (block.size() > 1) {
                int keep = Math.max(1, block.size() - (total - limit));
                total -= block.size() - keep;
                blocks.set(i, List.copyOf(block.subList(0, keep)));
            }
        }
        for (int i = 0; i < blocks.size() && total > limit; i++) {
            total -= blocks.get(i).size();
            blocks.set(i, List.of());
        }
    }

    private static String colorOf(StepView step) {
        if (!step.done()) {
            return null;
        }
        if (step.cancelled()) {
            return YELLOW;
        }
        return step.error().isPresent() ? RED : BLUE;
    }

    private static String timer(long started, long ended, long now) {
        double dt = seconds((ended >= 0 ? ended : now) - started);
        // BuildKit rounds tiny durations down to 0 so instant steps do not flicker between 0.0s and 0.1s.
        return String.format(Locale.ROOT, " %3.1fs", dt < 0.05 ? 0 : dt);
    }

    /** {@code text} with {@code timer} at the right edge; without the timer when fewer than 12 columns remain. */
    static String withTimer(String text, String timer, int visible) {
        int left = visible - timer.length();
        if (left < 12) {
            return cut(text, visible);
        }
        String name = cut(text, left);
        return name + " ".repeat(left - name.length()) + timer;
    }

    private static String bar(long current, long total) {
        int filled = (int) Math.min(BAR, current * BAR / Math.max(total, 1));
        return "[" + "=".repeat(filled) + (filled < BAR ? ">" + " ".repeat(BAR - filled - 1) : "") + "]";
    }

    static String cut(String text, int columns) {
        if (text.length() <= columns) {
            return text;
        }
        int end = columns;
        if (end > 0 && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, Math.max(end, 0));
    }

    /** Control characters (newlines of heredocs, escape sequences of a step's output) would break the layout. */
    private static String oneLine(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            out.append(Character.isISOControl(c) ? ' ' : c);
        }
        return out.toString();
    }

    private static String paint(String text, String sgr, boolean color) {
        return color && sgr != null ? sgr + text + RESET : text;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
