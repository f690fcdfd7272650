package dev.wharf.builder.plan;

import dev.wharf.grammar.instructions.Healthcheck;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The part of an image configuration a Dockerfile reads and writes (docker-image-spec {@code Config}, plus the
 * image's {@code author}): what a base image contributes to a stage, and what each step leaves behind.
 * Maps and sets are sorted so that equal configs compare and print equal.
 *
 * <p>Immutable and thread-safe; the {@code with...} methods return new configs.
 *
 * @param env          {@code KEY=VALUE} entries in order
 * @param workingDir   "" when unset
 * @param user         "" when unset
 * @param shell        the SHELL for shell-form commands; empty for the default
 * @param onBuild      ONBUILD trigger expressions, raw
 * @param labels       labels by name
 * @param entrypoint   empty when unset (Docker's null)
 * @param cmd          empty when unset (Docker's null); present and empty for {@code CMD []}
 * @param argsEscaped  Docker's {@code ArgsEscaped}, set by CMD as BuildKit does
 * @param exposedPorts {@code port/proto} entries
 * @param volumes      volume paths
 * @param stopSignal   "" when unset
 * @param healthcheck  empty when unset
 * @param author       the image's author (MAINTAINER), "" when unset
 */
public record ImageConfig(List<String> env, String workingDir, String user, List<String> shell,
                          List<String> onBuild, Map<String, String> labels, Optional<List<String>> entrypoint,
                          Optional<List<String>> cmd, boolean argsEscaped, Set<String> exposedPorts,
                          Set<String> volumes, String stopSignal, Optional<Healthcheck> healthcheck, String author) {

    private static final ImageConfig EMPTY = new ImageConfig(List.of(), "", "", List.of(), List.of(), Map.of(),
            Optional.empty(), Optional.empty(), false, Set.of(), Set.of(), "", Optional.empty(), "");

    public ImageConfig {
        env = List.copyOf(env);
        Objects.requireNonNull(workingDir, "workingDir");
        Objects.requireNonNull(user, "user");
        shell = List.copyOf(shell);
        onBuild = List.copyOf(onBuild);
        labels = Collections.unmodifiableMap(new TreeMap<>(labels));
        entrypoint = entrypoint.map(List::copyOf);
        cmd = cmd.map(List::copyOf);
        exposedPorts = Collections.unmodifiableSet(new TreeSet<>(exposedPorts));
        volumes = Collections.unmodifiableSet(new TreeSet<>(volumes));
        Objects.requireNonNull(stopSignal, "stopSignal");
        Objects.requireNonNull(healthcheck, "healthcheck");
        Objects.requireNonNull(author, "author");
    }

    /** The config of {@code scratch}: nothing set. */
    public static ImageConfig empty() {
        return EMPTY;
    }

    /**
     * {@code env} with {@code key} set to {@code value}: the FIRST entry with that key is replaced in place,
     * otherwise the entry is appended. BuildKit's {@code addEnv} (dockerfile2llb/convert.go); unlike the build
     * state's environment, the order of the image's list never changes.
     */
    public static List<String> addEnv(List<String> env, String key, String value) {
        List<String> out = new ArrayList<>(env);
        for (int i = 0; i < out.size(); i++) {
            if (EnvEntry.parse(out.get(i)).key().equals(key)) {
                out.set(i, key + "=" + value);
                return List.copyOf(out);
            }
        }
        out.add(key + "=" + value);
        return List.copyOf(out);
    }

    public ImageConfig withEnv(List<String> value) {
        return new ImageConfig(value, workingDir, user, shell, onBuild, labels, entrypoint, cmd, argsEscaped,
                exposedPorts, volumes, stopSignal, healthcheck, author);
    }

    public ImageConfig withWorkingDir(String value) {
        return new ImageConfig(env, value, user, shell, onBuild, labels, entrypoint, cmd, argsEscaped,
                exposedPorts, volumes, stopSignal, healthcheck, author);
    }

    public ImageConfig withUser(String value) {
        return new ImageConfig(env, workingDir, value, shell, onBuild, labels, entrypoint, cmd, argsEscaped,
                exposedPorts, volumes, stopSignal, healthcheck, author);
    }

    public ImageConfig withShell(List<String> value) {
        return new ImageConfig(env, workingDir, user, value, onBuild, labels, entrypoint, cmd, argsEscaped,
                exposedPorts, volumes, stopSignal, healthcheck, author);
    }

    public ImageConfig withOnBuild(List<String> value) {
        return new ImageConfig(env, workingDir, user, shell, value, labels, entrypoint, cmd, argsEscaped,
                exposedPorts, volumes, stopSignal, healthcheck, author);
    }

    public ImageConfig withLabels(Map<String, String> value) {
        return new ImageConfig(env, workingDir, user, shell, onBuild, value, entrypoint, cmd, argsEscaped,
                exposedPorts, volumes, stopSignal, healthcheck, author);
    }

    public ImageConfig withEntrypoint(Optional<List<String>> value) {
        return new ImageConfig(env, workingDir, user, shell, onBuild, labels, value, cmd, argsEscaped,
                exposedPorts, volumes, stopSignal, healthcheck, author);
    }

    public ImageConfig withCmd(Optional<List<String>> value, boolean escaped) {
        return new ImageConfig(env, workingDir, user, shell, onBuild, labels, entrypoint, value, escaped,
                exposedPorts, volumes, stopSignal, healthcheck, author);
    }

    public ImageConfig withExposedPorts(Set<String> value) {
        return new ImageConfig(env, workingDir, user, shell, onBuild, labels, entrypoint, cmd, argsEscaped,
                value, volumes, stopSignal, healthcheck, author);
    }

    public ImageConfig withVolumes(Set<String> value) {
        return new ImageConfig(env, workingDir, user, shell, onBuild, labels, entrypoint, cmd, argsEscaped,
                exposedPorts, value, stopSignal, healthcheck, author);
    }

    public ImageConfig withStopSignal(String value) {
        return new ImageConfig(env, workingDir, user, shell, onBuild, labels, entrypoint, cmd, argsEscaped,
                exposedPorts, volumes, value, healthcheck, author);
    }

    public ImageConfig withHealthcheck(Optional<Healthcheck> value) {
        return new ImageConfig(env, workingDir, user, shell, onBuild, labels, entrypoint, cmd, argsEscaped,
                exposedPorts, volumes, stopSignal, value, author);
    }

    public ImageConfig withAuthor(String value) {
        return new ImageConfig(env, workingDir, user, shell, onBuild, labels, entrypoint, cmd, argsEscaped,
                exposedPorts, volumes, stopSignal, healthcheck, value);
    }
}
