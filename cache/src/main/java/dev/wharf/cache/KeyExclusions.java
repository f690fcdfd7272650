package dev.wharf.cache;

import java.util.Locale;
import java.util.Set;

/**
 * The one list of things deliberately left out of a {@link CacheKey}, each with the reason.
 *
 * <p>An enum, immutable and thread-safe. Changing one of these never causes a cache miss. Everything not listed
 * here that a {@link CacheKeyInputs} holds is part of the key; the planner must leave out of the canonical
 * instruction what {@link #EXEC_RUNTIME_DETAILS} names. Modelled on BuildKit's {@code ExecOp.CacheMap}
 * ({@code solver/llbsolver/ops/exec.go}), which blanks such fields before hashing.
 */
public enum KeyExclusions {
    /**
     * {@code HTTP_PROXY}, {@code HTTPS_PROXY}, {@code FTP_PROXY}, {@code NO_PROXY}, {@code ALL_PROXY} in any case,
     * when given with {@code --build-arg} but not declared by an {@code ARG} instruction.
     */
    UNDECLARED_PROXY_ARGS("BuildKit hands undeclared proxy build args to RUN as the exec op's ProxyEnv "
            + "(dockerfile2llb/convert.go proxyEnvFromBuildArgs), and ExecOp.CacheMap clears ProxyEnv before "
            + "hashing: a proxy is about how to reach the network, not what the step produces, so changing it "
            + "must not invalidate the cache. Declared with ARG, they count like any other ARG (Docker's "
            + "documentation: predefined ARGs are exempt from caching unless declared)."),
    /** The {@link StepIdentity} (Dockerfile path, stage, step index). */
    STEP_IDENTITY("Where a step is written does not change what it produces; BuildKit keys by content, not by "
            + "location, so equal steps in different Dockerfiles or stages share one cache entry. The identity is "
            + "kept only to find the previous build of the same step when explaining a miss."),
    /** The instruction's display text, e.g. {@code RUN make  all}. */
    DISPLAY_TEXT("The canonical instruction carries the meaning; the display text can differ in spacing or quoting "
            + "without a different result. It is kept only to show old and new text when explaining a miss."),
    /** File modification times of context and {@code COPY --from} sources. */
    FILE_MTIMES("Content checksums come from the context module and, like BuildKit's contenthash "
            + "(cache/contenthash/tarsum.go v1TarHeaderSelect), hash mode, owner, size, type, link target and "
            + "content but not mtimes, so touching or re-checking out a file keeps the cache."),
    /** For {@code COPY --from}: the source stage's key. */
    SOURCE_STAGE_KEY("COPY --from keys on the checksum of the copied files, not on the source stage's key, so a "
            + "source stage rebuilt with identical output still hits (ANCHORS 3; BuildKit's content-based cache "
            + "for file ops)."),
    /** Cache mount IDs and sharing modes, extra-host IP addresses, mount selectors. */
    EXEC_RUNTIME_DETAILS("ExecOp.CacheMap blanks them: a cache mount's identity and an extra host's address "
            + "change how RUN executes, not which result is expected. The planner leaves them out of the "
            + "canonical instruction."),
    /** {@code SOURCE_DATE_EPOCH}, unless the step uses it as a declared build ARG. */
    SOURCE_DATE_EPOCH("It dates the image, not what a step does: as BuildKit caches a step's result unclamped and "
            + "rewrites layer times only when it exports the image (rewrite-timestamp=true), wharf keeps a step's "
            + "layer with the times its files had and clamps the image's layers to the epoch on export, dating the "
            + "history and config then; so a new epoch (one per commit in CI) reruns nothing. A step that reads it "
            + "(ARG SOURCE_DATE_EPOCH, then $SOURCE_DATE_EPOCH in a RUN) has it among its used build ARGs."),
    /** The created and last-used times of records. */
    RECORD_TIMES("They describe the cache entry, not the step: when or how often it was used says nothing of its "
            + "result.");

    private static final Set<String> PROXY_ARGS = Set.of("http_proxy", "https_proxy", "ftp_proxy", "no_proxy",
            "all_proxy");

    private final String reason;

    KeyExclusions(String reason) {
        this.reason = reason;
    }

    /** Returns why this input is left out of the key. */
    public String reason() {
        return reason;
    }

    /** Returns whether {@code name} is one of BuildKit's proxy ARGs, compared case-insensitively as BuildKit does. */
    public static boolean isProxyArg(String name) {
        return PROXY_ARGS.contains(name.toLowerCase(Locale.ROOT));
    }

    /**
     * Returns whether a build ARG the step sees counts in its key.
     *
     * @param name the ARG name
     * @param declared whether an {@code ARG} instruction in scope declares it
     * @see #UNDECLARED_PROXY_ARGS
     */
    public static boolean countsInKey(String name, boolean declared) {
        return declared || !isProxyArg(name);
    }
}
