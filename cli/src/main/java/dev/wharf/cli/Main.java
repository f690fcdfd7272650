package dev.wharf.cli;

import dev.wharf.layers.layout.NativeImage;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;

/**
 * Entry point of the {@code wharf} command: builds the command tree, runs it, and turns the outcome into
 * an exit code (see {@link ExitCodes}).
 */
public final class Main {

    private Main() {
    }

    /**
     * The JDK HttpClient's read and body buffer size ({@code jdk.httpclient.bufsize}, 16 KiB by default), for the
     * downloads that still use that client ({@code ADD https://...}, URL contexts; registry traffic has its own
     * blocking transport): every buffer crosses the client's asynchronous pipeline (socket reader, body subscriber,
     * the consuming thread) with a hand-off each, so a 300 MB file took 18,000 of them, and hot pipeline methods
     * reached C2 compilation in a short command. 1 MiB buffers cut the CPU time of such a download by about a
     * quarter (measured on {@code wharf pull} when it still used this client).
     * A JVM-wide setting, read once when the client classes load, so it is the application's to choose (here),
     * not the library's; a value given with {@code -D} wins.
     */
    private static final long SELECTOR_STOP_MILLIS = 200;

    static final String HTTP_BUFFER_SIZE = String.valueOf(1024 * 1024);

    /**
     * picocli's built-in converters left out ({@code picocli.converters.excludes}, regular expressions matched
     * against class names): those of {@code java.sql} and {@code java.time}, which no wharf option is typed with.
     * picocli registers them in every {@code CommandLine} by {@code Class.forName} and reflection, which initialises
     * {@code DateTimeFormatter} (its ISO formatters are built in its static initialiser), the java.time classes and
     * {@code java.sql.DriverManager}: ~60 classes and interpreted set-up at the start of every command.
     */
    static final String CONVERTER_EXCLUDES = "java\\.(sql|time)\\..*";

    public static void main(String[] args) {
        if (System.getProperty("jdk.httpclient.bufsize") == null) {
            System.setProperty("jdk.httpclient.bufsize", HTTP_BUFFER_SIZE);
        }
        excludeUnusedConverters();
        useTmpdirInNativeImage();
        NativeImageSignals.install();
        PrintWriter err = new PrintWriter(System.err, true);
        Optional<Integer> rootless = UserNamespaceEntry.run(args, err);
        int code;
        if (rootless.isPresent()) {
            code = rootless.get();
        } else {
            StartupWarmer.start(args);
            code = run(args, new PrintWriter(System.out, true), err);
        }
        stopHttpSelectors();
        System.exit(code);
    }

    /**
     * In the native image, {@code TMPDIR} (when set) is where temporary files go, as for Go's tools (docker and
     * buildx read it through {@code os.TempDir}): the image takes no {@code -Djava.io.tmpdir}, and its default is
     * {@code /tmp} as the JVM's. On the JVM, {@code WHARF_JAVA_OPTS=-Djava.io.tmpdir=DIR} does it.
     */
    static void useTmpdirInNativeImage() {
        String tmpdir = System.getenv("TMPDIR");
        if (tmpdir != null && !tmpdir.isEmpty()
                && NativeImage.isRuntime()) {
            System.setProperty("java.io.tmpdir", tmpdir);
        }
    }

    /**
     * Ends the selector threads of the JDK HttpClients a command used (downloads of ADD URLs and URL contexts), so
     * the JVM exits at once: HotSpot's exit waits, in 10 ms steps, at least 300 ms while any thread runs native code
     * ({@code VM_Exit::wait_for_threads_in_native_to_block} in {@code vmOperations.cpp}), and an HttpClient's
     * selector thread always sits in {@code epoll_wait}; JDK 17's client cannot be closed. Its loop ends when the
     * thread is interrupted ({@code HttpClientImpl.SelectorManager.run}). Measured: {@code System.exit} after a
     * request took 350 ms, 30 ms with this.
     */
    static void stopHttpSelectors() {
        List<Thread> selectors = new ArrayList<>();
        for (Thread thread : liveThreads()) {
            String name = thread.getName();
            if (name.startsWith("HttpClient-") && name.endsWith("-SelectorManager")) {
                thread.interrupt();
                selectors.add(thread);
            }
        }
        try {
            for (Thread selector : selectors) {
                selector.join(SELECTOR_STOP_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Every live thread, from the root thread group: not {@code Thread.getAllStackTraces()}, which stops the JVM at
     * a safepoint to take every thread's stack (about 1 ms of CPU and up to 3 ms of wall time at each command's
     * exit) only for the names wanted here.
     */
    private static List<Thread> liveThreads() {
        ThreadGroup root = Thread.currentThread().getThreadGroup();
        while (root.getParent() != null) {
            root = root.getParent();
        }
        Thread[] threads;
        int count;
        do {
            // Threads started meanwhile may not fit: then again with more room.
            threads = new Thread[root.activeCount() * 2 + 8];
            count = root.enumerate(threads, true);
        } while (count == threads.length);
        // A copy, not subList: AbstractList's sublist classes are not in the class-data archive (its training runs
        // Main.run, not main), and were the last classes every command read from the JDK's modules file.
        return Arrays.asList(Arrays.copyOf(threads, count));
    }

    /** Sets {@link #CONVERTER_EXCLUDES} for the JVM (a JVM-wide setting, so the application's); a value given wins. */
    static void excludeUnusedConverters() {
        if (System.getProperty("picocli.converters.excludes") == null) {
            System.setProperty("picocli.converters.excludes", CONVERTER_EXCLUDES);
        }
    }

    /** Runs wharf with {@code args}, printing to {@code out} and {@code err}; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine commandLine = WharfCommand.forArgs(args, out, err);
        return commandLine.execute(args);
    }
}
