package dev.wharf.cli;

import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Set;

/**
 * Starts, on a daemon thread, class initialisations that a command waits for later and that depend on nothing of
 * the command, so that they run while the main thread builds the command line, opens the store and plans the build
 * (the CLI has two cores to itself on an idle machine; on a busy one the work is the same, only not overlapped):
 * <ul>
 *   <li>for every command that opens the store, Jackson's {@code StdDateFormat}: {@code ObjectMapper}'s static
 *       initialiser makes its default date format, whose {@code Calendar} asks the locale providers for week data,
 *       which lists every locale the JDK knows (about 20 ms of CPU in a fresh JVM);</li>
 *   <li>for the same commands, the JDK's security providers, through {@code MessageDigest.getInstance("SHA-256")}:
 *       every digest and every temporary file name ({@code SecureRandom}) waits for the provider list and the
 *       {@code SUN} provider's table of algorithms and OIDs (about 8 ms in a fresh JVM), which opening the store
 *       and a pull's first manifest need;</li>
 *   <li>for the commands that hash hundreds of megabytes ({@code pull}, {@code push}, {@code build},
 *       {@code import}, {@code load}), SHA-256 itself: its C2 intrinsic (SHA-NI / AVX2) replaces
 *       {@code DigestBase.implCompressMultiBlock0} only once C2 compiles that method, which the thresholds of
 *       {@code ./wharf} (scaled for it) reach after about a thousand calls; blob reads call it once per buffer, so a
 *       pull hashed its first layer bytes in the interpreter and C1, and a {@code SecureRandom} loaded later (its
 *       SHA-1 class is a second subclass of {@code DigestBase}) made C2 drop the compiled code again. Loading that
 *       first, then a few thousand small updates here, gets it compiled before the first layer arrives (perf of a
 *       300 MB pull: transfer threads 0.43 s of CPU before, 0.38 s after, this thread 17 ms more);</li>
 *   <li>for {@code build --no-cache}, the libc binding ({@link PosixFiles#system}): jnr-ffi generates and loads its
 *       classes (about 60 ms of CPU); a build whose steps run needs it (extended attributes and owners of what it
 *       copies and of the layers it writes), while a cached one may not, and would pay for it in CPU time.</li>
 * </ul>
 * Each initialiser depends only on JDK or library classes and is reached through the entry point the command itself
 * uses, so class initialisation locks are taken in the same order in both threads: the main thread can at worst
 * wait for the warm-up, never deadlock with it. Stateless.
 */
final class StartupWarmer {
    private static final String DATE_FORMAT = "com.fasterxml.jackson.databind.util.StdDateFormat";
    /** The commands that never touch JSON, for which the work would be wasted. */
    private static final Set<String> WITHOUT_JSON = Set.of("version", "help", "completion", "parse");
    /** The commands that hash large blobs (see the class comment). */
    private static final Set<String> HASHING = Set.of("pull", "push", "build", "import", "load");
    /** Updates: past the scaled C2 threshold of {@code ./wharf} for SHA-256. */
    private static final int HASH_UPDATES = 3000;
    /**
     * Their lengths, in turn: whole blocks, partial ones and several at once, as socket reads come, so that the
     * compiled code has seen every path of {@code DigestBase.engineUpdate} (a path it has not seen makes C2 drop the
     * code again at the first such read, back to code without the intrinsic).
     */
    private static final int[] HASH_LENGTHS = {1, 63, 64, 65, 200, 1000, 4099};

    private StartupWarmer() {
    }

    /** Starts the warm-up when {@code args} name a command that opens the store. */
    static void start(String[] args) {
        String command = null;
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                command = arg;
                break;
            }
        }
        if (command == null || WITHOUT_JSON.contains(command)) {
            return;
        }
        boolean stepsRun = command.equals("build") && Arrays.asList(args).contains("--no-cache");
        boolean hashing = HASHING.contains(command);
        Thread thread = new Thread(() -> initialize(stepsRun, hashing), "wharf-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    private static void initialize(boolean stepsRun, boolean hashing) {
        // In the order the command needs them (the store is opened before the first step runs). Failures are the
        // command's to report: it initialises the same classes itself when it needs them.
        try {
            Class.forName(DATE_FORMAT, true, StartupWarmer.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            // Reported by the command, as without the warm-up.
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            // Temporary file names: NativePRNG mixes in SHA1PRNG, whose SHA-1 class, a second subclass of the
            // JDK's DigestBase, makes C2 drop SHA-256 code compiled before it loaded; load it first.
            new SecureRandom().nextLong();
            if (hashing) {
                byte[] data = new byte[HASH_LENGTHS[HASH_LENGTHS.length - 1]];
                for (int i = 0; i < HASH_UPDATES; i++) {
                    sha256.update(data, 0, HASH_LENGTHS[i % HASH_LENGTHS.length]);
                }
            }
        } catch (NoSuchAlgorithmException e) {
            // Every JDK has SHA-256; the command reports it otherwise.
        }
        if (stepsRun) {
            try {
                PosixFiles.system();
            } catch (LayerException | LinkageError e) {
                // The command falls back or reports it, as without the warm-up.
            }
        }
    }
}
