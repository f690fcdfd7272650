package dev.wharf.cli;

import dev.wharf.builder.api.BuildEvent;
import dev.wharf.builder.api.ProgressListener;
import dev.wharf.builder.exec.ParseCache;
import dev.wharf.builder.sandbox.SeccompProfile;
import dev.wharf.grammar.DockerfileException;
import dev.wharf.grammar.instructions.DockerfileReader;
import dev.wharf.grammar.parser.DockerfileParser;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.posix.PosixFiles;
import dev.wharf.layers.store.StoreRoot;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Starts, on a daemon thread, work that a command waits for later and that depends on nothing of the command, so
 * that it runs while the main thread builds the command line, opens the store and plans the
 * build (the CLI has two cores to itself on an idle machine; on a busy one the work is the same, only not
 * overlapped), in the order the command needs it:
 * <ul>
 *   <li>for {@code build}, the Dockerfile parser: ANTLR's lexer and parser deserialise their state machines and
 *       fill their caches on the first parse; not when the store's parse cache holds the Dockerfile the command
 *       line names ({@link #parseCached}): the build then reads it from there and never runs the parser;</li>
 *   <li>for every command that opens the store, the JDK's security providers, through {@code MessageDigest.getInstance("SHA-256")}:
 *       every digest and every temporary file name ({@code SecureRandom}) waits for the provider list and the
 *       {@code SUN} provider's table of algorithms and OIDs (about 8 ms in a fresh JVM), which opening the store
 *       and a pull's first manifest need;</li>
 *   <li>for the commands that hash hundreds of megabytes ({@code pull}, {@code push}, {@code build},
 *       {@code import}, {@code load}), SHA-256 itself: its C2 intrinsic (SHA-NI / AVX2) replaces
 *       {@code DigestBase.implCompressMultiBlock0} only once C2 compiles that method, which the thresholds of
 *       {@code ./wharf} (scaled for DigestBase) reach after about a thousand calls; blob reads call it once per
 *       buffer, so a pull hashed its first layer bytes in the interpreter and C1, and a {@code SecureRandom} loaded
 *       later (its SHA-1 class is a second subclass of {@code DigestBase}) made C2 drop the compiled code again.
 *       Loading that first, then a few thousand small updates here, gets it compiled before the first layer
 *       arrives (perf of a 300 MB pull: transfer threads 0.43 s of CPU before, 0.38 s after, this thread 17 ms
 *       more). A {@code build} does it at the start only with {@code --pull}, else when its first transfer starts
 *       ({@link #hashingOnFirstTransfer}), for a layer export only when the layer is large: a fully cached build
 *       and one of small layers hash nothing large;</li>
 *   <li>for {@code build --no-cache}, the libc binding ({@link PosixFiles#system}): a millisecond or two with wharf's
 *       JNI library, 25-40 ms where jffi stands in for it; a build whose steps run needs it (extended attributes and owners of what it
 *       copies and of the layers it writes), while a cached one does not, and would pay for it in CPU time;</li>
 *   <li>for {@code build --no-cache} with an OCI runtime (not {@code --runtime builtin}), Docker's seccomp profile
 *       ({@link SeccompProfile#dockerDefault}, read and parsed once per JVM), which the first RUN step's sandbox
 *       needs: it is the build's first resource read from the jar, whose URL handling and JSON tree classes a fresh
 *       JVM sets up on first use (16-25 ms in all), on the path of the first RUN otherwise.</li>
 * </ul>
 * Each step depends only on JDK, library or model classes and goes through the entry point the command itself uses,
 * so class initialisation locks are taken in the same order in both threads: the main thread can at worst wait for
 * the warm-up, never deadlock with it. Stateless.
 *
 * <p>The image documents and runc's and crun's {@code config.json} need no warm-up: they are read and written by
 * hand-written code, not by Jackson's data binding, whose reflective (de)serializers (and {@code ObjectMapper}'s date
 * format, which lists every locale of the JDK) the warm-up used to build ahead, about 40% of the CPU time of a fresh
 * cached build.
 */
final class StartupWarmer {
    /** The commands that never open the store, for which the work would be wasted. */
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

    /** The id of the Dockerfile's transfer event ({@code BuildJob}, BuildKit's {@code load build definition}). */
    private static final String DEFINITION_TRANSFER = "transferring dockerfile";
    /** The name of the definition's step ({@code BuildJob}). */
    private static final String DEFINITION_STEP = "load build definition from ";
    /** The id of the .dockerignore's and the context's transfer events ({@code BuildJob}, {@code ContextTransfer}). */
    private static final String CONTEXT_TRANSFER = "transferring context";
    /** The id of a step's layer export events ({@code LayerProgress}), whose total is the layer's estimated size. */
    private static final String LAYER_EXPORT = "exporting layer";
    /**
     * The estimated size from which a layer export starts the warm-up: below it the layer is hashed in less time
     * than the warm-up takes, and DigestBase's scaled thresholds of {@code ./wharf} get the intrinsic compiled within
     * a layer's first ~100 KB anyway.
     */
    private static final long LARGE_LAYER = 8L << 20;
    /** The name of a base image's registry resolution step ({@code RegistryImages}). */
    private static final String METADATA_STEP = "load metadata for ";

    /** Larger guessed Dockerfiles are not read by the warm-up (then it warms the parser up as before). */
    private static final long MAX_GUESSED_SIZE = 1 << 20;

    private static final String DOCKERFILE = "# syntax=docker/dockerfile:1\nARG BASE=scratch\nFROM ${BASE} AS base\n"
            + "ENV A=b\nWORKDIR /app\nCOPY --chmod=0755 a b /app/\nRUN echo \"$A\" > /x && \\\n    true\n"
            + "USER app\nCMD [\"/app/a\"]\n";

    private StartupWarmer() {
    }

    /**
     * Starts the warm-up when {@code args} name a command that opens the store. (It also used to read, for every
     * named command, the annotations picocli read for its model; the models are built in code now,
     * {@link CommandModel}, so {@code version} and {@code parse} start no thread at all.)
     */
    static void start(String[] args) {
        String command = command(args);
        if (command == null || WITHOUT_JSON.contains(command)) {
            return;
        }
        boolean build = command.equals("build");
        boolean stepsRun = build && Arrays.asList(args).contains("--no-cache");
        boolean hashing = hashesAhead(command, args);
        boolean ociRuntime = !runtimeBuiltin(args);
        Thread thread = new Thread(() -> initialize(build && !parseCached(args), stepsRun, hashing, ociRuntime),
                "wharf-warm-up");
        thread.setDaemon(true);
        thread.start();
    }

    /**
     * Whether {@link #start} hashes ahead at once for the command line {@code args}, so that a build need not wrap
     * its listener in {@link #hashingOnFirstTransfer} as well.
     */
    static boolean hashesAtStart(String[] args) {
        String command = command(args);
        return command != null && !WITHOUT_JSON.contains(command) && hashesAhead(command, args);
    }

    /** The command {@code args} name: their first word that is no option. */
    private static String command(String[] args) {
        for (String arg : args) {
            if (!arg.startsWith("-")) {
                return arg;
            }
        }
        return null;
    }

    /**
     * Whether the Dockerfile {@code args} most likely name is one the store's parse cache holds
     * ({@link ParseCache#holds}), so that the build will not run the parser and its warm-up would cost 10-30 ms of
     * CPU time for nothing. A guess from the command line ({@code -f FILE}, else {@code DIR/Dockerfile} for a last
     * argument DIR): when it cannot tell (a context from stdin or git, a file it cannot read), the parser is warmed
     * up as before; a wrong guess costs at most a parse not overlapped with the start.
     */
    private static boolean parseCached(String[] args) {
        try {
            Optional<Path> file = dockerfile(args);
            if (file.isEmpty() || !Files.isRegularFile(file.get()) || Files.size(file.get()) > MAX_GUESSED_SIZE) {
                return false;
            }
            String text = new String(Files.readAllBytes(file.get()), StandardCharsets.UTF_8);
            return ParseCache.holds(storeRoot(args), text);
        } catch (IOException | RuntimeException e) {
            return false; // an unusable path or home: the command reports it
        }
    }

    /** The Dockerfile {@code args} name: {@code -f}/{@code --file}, else the last argument's Dockerfile. */
    static Optional<Path> dockerfile(String[] args) {
        String last = null;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                break;
            }
            if ((arg.equals("-f") || arg.equals("--file")) && i + 1 < args.length) {
                return args[i + 1].equals("-") ? Optional.empty() : Optional.of(Path.of(args[i + 1]));
            }
            if (arg.startsWith("--file=")) {
                return Optional.of(Path.of(arg.substring("--file=".length())));
            }
            last = arg;
        }
        if (last == null || last.startsWith("-") || last.contains("://") || last.contains("@")) {
            return Optional.empty();
        }
        return Optional.of(Path.of(last).resolve("Dockerfile"));
    }

    /**
     * The store root {@code args} name ({@code --root DIR}, {@code --root=DIR}), else the environment's
     * ({@link StoreRoot#fromSystemEnvironment}); a guess for the warm-up only (the command resolves its own).
     */
    private static Path storeRoot(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--")) {
                break;
            }
            if (args[i].equals("--root") && i + 1 < args.length) {
                return Path.of(args[i + 1]);
            }
            if (args[i].startsWith("--root=")) {
                return Path.of(args[i].substring("--root=".length()));
            }
        }
        return StoreRoot.fromSystemEnvironment();
    }

    /** Whether {@code args} choose the built-in sandbox ({@code --runtime builtin}), which needs no OCI spec. */
    private static boolean runtimeBuiltin(String[] args) {
        List<String> list = Arrays.asList(args);
        int at = list.indexOf("--runtime");
        return list.contains("--runtime=builtin")
                || at >= 0 && at + 1 < list.size() && list.get(at + 1).equals("builtin");
    }

    private static boolean hashesAhead(String command, String[] args) {
        // A build hashes much only when it pulls or writes a large layer: a fully cached one hashes a few
        // kilobytes, and paid about 40 ms of CPU time (the updates in the interpreter, then C1 and C2 compiling) for
        // nothing, and so did a --no-cache build of small layers (17-30 ms). Other builds start it when their first
        // large transfer does (hashingOnFirstTransfer).
        boolean build = command.equals("build");
        return HASHING.contains(command) && (!build || Arrays.asList(args).contains("--pull"));
    }

    /**
     * Wraps a build's progress listener so that the first layer or blob transfer (a layer written, a base image
     * pulled, an image pushed: where a build starts hashing megabytes) starts the SHA-256 warm-up on a thread of its
     * own, for a build that did not start it with the others ({@link #start}); a fully cached build transfers
     * nothing and so never pays for it. The warm-up's updates and the transfer's count alike towards C2's threshold.
     */
    static ProgressListener hashingOnFirstTransfer(ProgressListener next) {
        AtomicBoolean started = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicInteger definition = new java.util.concurrent.atomic.AtomicInteger(-1);
        AtomicBoolean planned = new AtomicBoolean();
        return event -> {
            // A registry's metadata loads while the definition's step is open (planning); those shown after it
            // ended are of images already in the store (RegistryImages.showLocalMetadata), which pull nothing.
            if (event instanceof BuildEvent.StepStarted s && s.stage().equals("internal")
                    && s.name().startsWith(DEFINITION_STEP)) {
                definition.set(s.step());
            } else if (event instanceof BuildEvent.StepDone d && d.step() == definition.get()) {
                planned.set(true);
            }
            boolean localMetadata = planned.get() && event instanceof BuildEvent.StepStarted;
            if (!localMetadata && startsHashing(event) && started.compareAndSet(false, true)) {
                Thread thread = new Thread(() -> {
                    try {
                        hashAhead(MessageDigest.getInstance("SHA-256"));
                    } catch (NoSuchAlgorithmException e) {
                        // Every JDK has SHA-256; the build reports it otherwise.
                    }
                }, "wharf-warm-up-hash");
                thread.setDaemon(true);
                thread.start();
            }
            next.onEvent(event);
        };
    }

    /**
     * Whether {@code event} is where a build starts hashing megabytes: a layer or blob transfer, or a base image's
     * registry resolution ({@code [internal] load metadata for}), whose layers follow. Not the Dockerfile's
     * transfer ({@code [internal] load build definition}, {@code transferring dockerfile:}), which every build
     * starts with: it made every fully cached build pay for the warm-up (about 15 ms of the main CPU and the C1
     * and C2 compilations it triggers).
     */
    static boolean startsHashing(BuildEvent event) {
        if (event instanceof BuildEvent.Transfer transfer) {
            if (transfer.id().startsWith(LAYER_EXPORT)) {
                return transfer.total() >= LARGE_LAYER;
            }
            // Nor the .dockerignore's and the context's transfers, which every build shows too (and which
            // count bytes, hashing none).
            return !transfer.id().startsWith(DEFINITION_TRANSFER) && !transfer.id().startsWith(CONTEXT_TRANSFER);
        }
        return event instanceof BuildEvent.StepStarted s && s.stage().equals("internal")
                && s.name().startsWith(METADATA_STEP);
    }

    /** SHA-256 updates past the compile threshold (see the class comment). */
    private static void hashAhead(MessageDigest sha256) {
        byte[] data = new byte[HASH_LENGTHS[HASH_LENGTHS.length - 1]];
        for (int i = 0; i < HASH_UPDATES; i++) {
            sha256.update(data, 0, HASH_LENGTHS[i % HASH_LENGTHS.length]);
        }
    }

    private static void initialize(boolean parser, boolean stepsRun, boolean hashing, boolean ociRuntime) {
        // Failures are the command's to report: it does the same work itself when it needs it.
        if (parser) {
            try {
                DockerfileReader.read("Dockerfile", DockerfileParser.parse("Dockerfile", DOCKERFILE));
            } catch (DockerfileException | RuntimeException | LinkageError e) {
                // The command parses its own Dockerfile and reports what fails.
            }
        }
        try {
            MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
            // Temporary file names: NativePRNG mixes in SHA1PRNG, whose SHA-1 class, a second subclass of the
            // JDK's DigestBase, makes C2 drop SHA-256 code compiled before it loaded; load it first.
            new SecureRandom().nextLong();
            if (hashing) {
                hashAhead(sha256);
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
            if (ociRuntime) {
                try {
                    SeccompProfile.dockerDefault();
                } catch (RuntimeException | LinkageError e) {
                    // The first RUN reads it again and reports what fails.
                }
            }
        }
    }
}
