package dev.wharf.cli;

import dev.wharf.layers.layout.NativeImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * In the CLI's native image, makes SIGHUP, SIGINT and SIGTERM end the process through {@code System.exit(128 + n)},
 * as HotSpot's {@code java.lang.Terminator} does on the JVM, so the shutdown hooks run ({@link ShutdownAction},
 * {@link InterruptOnShutdown}: a terminated build cancels its steps, removes its cgroups and staged files and ends
 * with status 1). Without this an image dies of the signal at once (status 143) and leaves them behind: SubstrateVM's
 * own exit handlers are installed by a start-up hook that, in an image built without GraalVM's driver
 * (docs/native-image.md), never takes effect (the CLI tests against the image found it).
 *
 * <p>A signal the process inherited as ignored stays ignored, as HotSpot leaves it (nohup's SIGHUP, SIGINT of a
 * background job): its disposition is read from {@code /proc/self/status}. Stateless.
 */
final class NativeImageSignals {
    private static final List<String> SHUTDOWN_SIGNALS = List.of("HUP", "INT", "TERM");

    private NativeImageSignals() {
    }

    /** Installs the handlers when running as a native image; does nothing on the JVM. */
    static void install() {
        if (!NativeImage.isRuntime()) {
            return;
        }
        long ignored = ignoredSignals();
        for (String name : SHUTDOWN_SIGNALS) {
            try {
                sun.misc.Signal signal = new sun.misc.Signal(name);
                if ((ignored & (1L << (signal.getNumber() - 1))) == 0) {
                    sun.misc.Signal.handle(signal, s -> System.exit(128 + s.getNumber()));
                }
            } catch (IllegalArgumentException unsupported) {
                // As Terminator: a signal the platform does not have or lets no one handle keeps its default.
            }
        }
    }

    /** The {@code SigIgn} mask of this process (bit n-1 for signal n); 0 when it cannot be read. */
    static long ignoredSignals() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("SigIgn:")) {
                    return Long.parseUnsignedLong(line.substring("SigIgn:".length()).trim(), 16);
                }
            }
        } catch (IOException | RuntimeException unreadable) {
            // No procfs: handle every signal, as the JVM does where it cannot tell.
        }
        return 0;
    }
}
