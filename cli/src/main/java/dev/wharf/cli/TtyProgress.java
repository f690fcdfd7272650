package dev.wharf.cli;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * {@code --progress=tty}: a compact live view of the build redrawn in place on a terminal, like BuildKit's tty
 * display. Events update a {@link StepBoard}; a frame ({@link TtyFrame}) is drawn at most every
 * {@link #INTERVAL_NANOS} (BuildKit's display limiter, 100 ms), from the events and from a ticker that keeps the
 * timers of running steps moving; {@link #close} draws the final frame and leaves it on screen.
 *
 * <p>Redrawing moves the cursor up over the previous frame, rewrites each line and clears the rest of the line and,
 * when the frame shrank, the rest of the screen. Thread-safe: events and the ticker draw under one lock.
 */
final class TtyProgress implements ProgressListener, AutoCloseable {
    static final long INTERVAL_NANOS = 100_000_000L;
    private static final String HIDE_CURSOR = "\033[?25l";
    private static final String SHOW_CURSOR = "\033[?25h";
    private static final String CLEAR_LINE = "\033[K";
    private static final String CLEAR_BELOW = "\033[J";

    private final PrintWriter out;
    private final StepBoard board;
    private final TerminalSize size;
    private final boolean color;
    private final ScheduledExecutorService ticker;
    private int drawnLines;
    private long lastDraw;
    private long drawnVersion = -1;
    private List<String> lastFrame = List.of();
    private int frames;
    private boolean closed;

    private TtyProgress(PrintWriter out, StepBoard board, TerminalSize size, boolean color, boolean tick) {
        this.out = out;
        this.board = board;
        this.size = size;
        this.color = color;
        if (tick) {
            this.ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "wharf-tty-progress");
                thread.setDaemon(true);
                return thread;
            });
            ticker.scheduleAtFixedRate(this::tick, INTERVAL_NANOS, INTERVAL_NANOS, TimeUnit.NANOSECONDS);
        } else {
            this.ticker = null;
        }
    }

    /** A live view on the terminal {@code out} writes to, with a ticker thread. */
    static TtyProgress start(PrintWriter out, StepBoard board, TerminalSize size) {
        return new TtyProgress(out, board, size, true, true);
    }

    /** A view without ticker whose frames are drawn only by events and {@link #close}: for tests. */
    static TtyProgress manual(PrintWriter out, StepBoard board, TerminalSize size, boolean color) {
        return new TtyProgress(out, board, size, color, false);
    }

    @Override
    public void onEvent(BuildEvent event) {
        board.onEvent(event);
        synchronized (this) {
            long now = board.now();
            if (!closed && (frames == 0 || now - lastDraw >= INTERVAL_NANOS)) {
                draw(now, false);
            }
        }
    }

    private synchronized void tick() {
        long now = board.now();
        if (closed || now - lastDraw < INTERVAL_NANOS) {
            return;
        }
        boolean running = board.snapshot().stream().anyMatch(s -> !s.done());
        if (running || board.version() != drawnVersion) {
            draw(now, false);
        }
    }

    /** Draws the final frame (everything, FINISHED when nothing failed) and stops the ticker. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        if (ticker != null) {
            ticker.shutdownNow();
        }
        draw(board.now(), true);
        closed = true;
    }

    private void draw(long now, boolean last) {
        drawnVersion = board.version();
        List<String> frame = TtyFrame.render(board.snapshot(), board.startedNanos(), now, size.columns(),
                size.rows(), last, color);
        StringBuilder text = new StringBuilder(HIDE_CURSOR);
        if (drawnLines > 0) {
            text.append("\033[").append(drawnLines).append("A\r");
        }
        for (String line : frame) {
            text.append(line).append(CLEAR_LINE).append('\n');
        }
        if (frame.size() < drawnLines) {
            text.append(CLEAR_BELOW);
        }
        text.append(SHOW_CURSOR);
        out.print(text);
        out.flush();
        drawnLines = frame.size();
        lastDraw = now;
        lastFrame = frame;
        frames++;
    }

    /** The lines of the last frame drawn. */
    synchronized List<String> lastFrame() {
        return lastFrame;
    }

    /** How many frames were drawn. */
    synchronized int frames() {
        return frames;
    }
}
