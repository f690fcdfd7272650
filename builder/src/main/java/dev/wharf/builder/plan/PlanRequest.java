package dev.wharf.builder.plan;

import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What to plan: the build arguments, the target stage, the platform (the host's; wharf builds for no other) and
 * which stages must not use the cache. The planner's part of a build request.
 *
 * <p>Immutable and thread-safe; the {@code with...} methods return new requests.
 *
 * @param file          the Dockerfile's name, for error messages
 * @param buildArgs     {@code --build-arg} values by name (sorted, so plans compare equal)
 * @param target        {@code --target}, compared case-insensitively; empty for the last stage
 * @param platform      the platform to build for and on (the host's)
 * @param noCache       {@code --no-cache}: no step of any stage may use the cache
 * @param noCacheStages {@code --no-cache-filter}: stages (lower-cased names) whose steps must not use the cache
 * @param namedContexts {@code --build-context}s by normalized name (familiar, without {@code :latest})
 */
public record PlanRequest(String file, Map<String, String> buildArgs, Optional<String> target, Platform platform,
                          boolean noCache, Set<String> noCacheStages, Map<String, NamedContextRef> namedContexts) {

    public PlanRequest {
        Objects.requireNonNull(file, "file");
        buildArgs = Collections.unmodifiableMap(new TreeMap<>(buildArgs));
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(platform, "platform");
        TreeSet<String> stages = new TreeSet<>();
        noCacheStages.forEach(s -> stages.add(s.toLowerCase(Locale.ROOT)));
        noCacheStages = Collections.unmodifiableSet(stages);
        namedContexts = Collections.unmodifiableMap(new TreeMap<>(namedContexts));
    }

    /** A request without named contexts. */
    public PlanRequest(String file, Map<String, String> buildArgs, Optional<String> target, Platform platform,
                       boolean noCache, Set<String> noCacheStages) {
        this(file, buildArgs, target, platform, noCache, noCacheStages, Map.of());
    }

    public PlanRequest withNamedContexts(Map<String, NamedContextRef> contexts) {
        return new PlanRequest(file, buildArgs, target, platform, noCache, noCacheStages, contexts);
    }

    /** A request for {@code Dockerfile} on {@code platform}, with no build args, target or cache options. */
    public static PlanRequest of(Platform platform) {
        return new PlanRequest("Dockerfile", Map.of(), Optional.empty(), platform, false, Set.of());
    }

    public PlanRequest withFile(String name) {
        return new PlanRequest(name, buildArgs, target, platform, noCache, noCacheStages, namedContexts);
    }

    public PlanRequest withBuildArg(String name, String value) {
        Map<String, String> args = new TreeMap<>(buildArgs);
        args.put(name, value);
        return new PlanRequest(file, args, target, platform, noCache, noCacheStages, namedContexts);
    }

    public PlanRequest withBuildArgs(Map<String, String> values) {
        return new PlanRequest(file, values, target, platform, noCache, noCacheStages, namedContexts);
    }

    public PlanRequest withTarget(String stage) {
        return new PlanRequest(file, buildArgs, Optional.of(stage), platform, noCache, noCacheStages, namedContexts);
    }

    public PlanRequest withNoCache(boolean value) {
        return new PlanRequest(file, buildArgs, target, platform, value, noCacheStages, namedContexts);
    }

    public PlanRequest withNoCacheStages(Set<String> stages) {
        return new PlanRequest(file, buildArgs, target, platform, noCache, stages, namedContexts);
    }
}
