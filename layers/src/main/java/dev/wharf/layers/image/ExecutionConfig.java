package dev.wharf.layers.image;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.wharf.layers.json.EmptyObjectSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The {@code config} object of an image config: the defaults a container of the image runs with.
 *
 * <p>An immutable record, thread-safe. Holds every field of OCI's {@code ImageConfig} ({@code specs-go/v1/config.go})
 * in the spec's order, followed by Docker's extensions {@code Healthcheck}, {@code OnBuild} and {@code Shell}
 * ({@code moby/docker-image-spec} {@code DockerOCIImageConfigExt}), which is the order BuildKit's
 * {@code DockerOCIImageConfig} marshals. Empty values are absent from JSON (Go's {@code omitempty}); collections
 * are never null. Fields wharf does not model (e.g. Docker's {@code Hostname}, {@code Tty}) are kept in
 * {@code unknownFields} and written back after the known ones, sorted by name. Use {@link #builder()} to make one.
 *
 * @param user {@code USER}: user and optional group, e.g. {@code 1000:1000}
 * @param exposedPorts {@code EXPOSE}: ports such as {@code 80/tcp}
 * @param env {@code ENV}: {@code KEY=value} entries in order
 * @param entrypoint {@code ENTRYPOINT} arguments
 * @param cmd {@code CMD} arguments
 * @param volumes {@code VOLUME}: container paths
 * @param workingDir {@code WORKDIR}
 * @param labels {@code LABEL}s
 * @param stopSignal {@code STOPSIGNAL}, e.g. {@code SIGTERM}
 * @param argsEscaped Windows-only flag BuildKit sets for shell-form CMD/ENTRYPOINT
 * @param healthcheck {@code HEALTHCHECK}, or null
 * @param onBuild {@code ONBUILD} triggers, as written
 * @param shell {@code SHELL} for shell-form instructions
 * @param unknownFields fields not modelled above, kept verbatim
 */
@JsonPropertyOrder({"User", "ExposedPorts", "Env", "Entrypoint", "Cmd", "Volumes", "WorkingDir", "Labels",
    "StopSignal", "ArgsEscaped", "Healthcheck", "OnBuild", "Shell"})
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record ExecutionConfig(
        @JsonProperty("User") String user,
        @JsonProperty("ExposedPorts") @JsonSerialize(using = EmptyObjectSet.Serializer.class)
                @JsonDeserialize(using = EmptyObjectSet.Deserializer.class) SortedSet<String> exposedPorts,
        @JsonProperty("Env") List<String> env,
        @JsonProperty("Entrypoint") List<String> entrypoint,
        @JsonProperty("Cmd") List<String> cmd,
        @JsonProperty("Volumes") @JsonSerialize(using = EmptyObjectSet.Serializer.class)
                @JsonDeserialize(using = EmptyObjectSet.Deserializer.class) SortedSet<String> volumes,
        @JsonProperty("WorkingDir") String workingDir,
        @JsonProperty("Labels") SortedMap<String, String> labels,
        @JsonProperty("StopSignal") String stopSignal,
        @JsonProperty("ArgsEscaped") @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean argsEscaped,
        @JsonProperty("Healthcheck") @JsonInclude(JsonInclude.Include.NON_NULL) Healthcheck healthcheck,
        @JsonProperty("OnBuild") List<String> onBuild,
        @JsonProperty("Shell") List<String> shell,
        @JsonAnySetter @JsonAnyGetter Map<String, JsonNode> unknownFields) {

    /** Normalizes: null collections become empty, empty text becomes null, collections are copied. */
    public ExecutionConfig {
        user = emptyToNull(user);
        exposedPorts = sortedCopy(exposedPorts);
        env = Copies.strings(env);
        entrypoint = Copies.strings(entrypoint);
        cmd = Copies.strings(cmd);
        volumes = sortedCopy(volumes);
        workingDir = emptyToNull(workingDir);
        labels = Copies.stringMap(labels);
        stopSignal = emptyToNull(stopSignal);
        onBuild = Copies.strings(onBuild);
        shell = Copies.strings(shell);
        unknownFields = unknownFields == null || unknownFields.isEmpty()
                ? Collections.emptySortedMap() : Collections.unmodifiableSortedMap(new TreeMap<>(unknownFields));
    }

    /** Returns a config with nothing set (written as {@code {}}). */
    public static ExecutionConfig empty() {
        return builder().build();
    }

    /** Starts an empty builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** Starts a builder holding this config's values. */
    public Builder toBuilder() {
        return new Builder(this);
    }

    /**
     * Returns a copy without {@link #unknownFields}, which is what BuildKit gives a child image: it decodes the base
     * config into its typed struct, dropping fields it does not know.
     */
    public ExecutionConfig withoutUnknownFields() {
        return toBuilder().unknownFields(Map.of()).build();
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    private static SortedSet<String> sortedCopy(SortedSet<String> set) {
        return set == null || set.isEmpty()
                ? Collections.emptySortedSet() : Collections.unmodifiableSortedSet(new TreeSet<>(set));
    }

    /** A mutable builder for {@link ExecutionConfig}; not thread-safe. Setters replace whole values. */
    public static final class Builder {
        private String user;
        private SortedSet<String> exposedPorts = new TreeSet<>();
        private List<String> env = new ArrayList<>();
        private List<String> entrypoint = new ArrayList<>();
        private List<String> cmd = new ArrayList<>();
        private SortedSet<String> volumes = new TreeSet<>();
        private String workingDir;
        private SortedMap<String, String> labels = new TreeMap<>();
        private String stopSignal;
        private boolean argsEscaped;
        private Healthcheck healthcheck;
        private List<String> onBuild = new ArrayList<>();
        private List<String> shell = new ArrayList<>();
        private Map<String, JsonNode> unknownFields = new TreeMap<>();

        private Builder() {
        }

        private Builder(ExecutionConfig c) {
            user = c.user;
            exposedPorts = new TreeSet<>(c.exposedPorts);
            env = new ArrayList<>(c.env);
            entrypoint = new ArrayList<>(c.entrypoint);
            cmd = new ArrayList<>(c.cmd);
            volumes = new TreeSet<>(c.volumes);
            workingDir = c.workingDir;
            labels = new TreeMap<>(c.labels);
            stopSignal = c.stopSignal;
            argsEscaped = c.argsEscaped;
            healthcheck = c.healthcheck;
            onBuild = new ArrayList<>(c.onBuild);
            shell = new ArrayList<>(c.shell);
            unknownFields = new TreeMap<>(c.unknownFields);
        }

        /** Sets {@code User}. */
        public Builder user(String value) {
            user = value;
            return this;
        }

        /** Sets {@code ExposedPorts}. */
        public Builder exposedPorts(java.util.Collection<String> value) {
            exposedPorts = new TreeSet<>(value);
            return this;
        }

        /** Sets {@code Env}. */
        public Builder env(List<String> value) {
            env = new ArrayList<>(value);
            return this;
        }

        /** Sets {@code Entrypoint}. */
        public Builder entrypoint(List<String> value) {
            entrypoint = new ArrayList<>(value);
            return this;
        }

        /** Sets {@code Cmd}. */
        public Builder cmd(List<String> value) {
            cmd = new ArrayList<>(value);
            return this;
        }

        /** Sets {@code Volumes}. */
        public Builder volumes(java.util.Collection<String> value) {
            volumes = new TreeSet<>(value);
            return this;
        }

        /** Sets {@code WorkingDir}. */
        public Builder workingDir(String value) {
            workingDir = value;
            return this;
        }

        /** Sets {@code Labels}. */
        public Builder labels(Map<String, String> value) {
            labels = new TreeMap<>(value);
            return this;
        }

        /** Sets {@code StopSignal}. */
        public Builder stopSignal(String value) {
            stopSignal = value;
            return this;
        }

        /** Sets {@code ArgsEscaped}. */
        public Builder argsEscaped(boolean value) {
            argsEscaped = value;
            return this;
        }

        /** Sets {@code Healthcheck} (null for none). */
        public Builder healthcheck(Healthcheck value) {
            healthcheck = value;
            return this;
        }

        /** Sets {@code OnBuild}. */
        public Builder onBuild(List<String> value) {
            onBuild = new ArrayList<>(value);
            return this;
        }

        /** Sets {@code Shell}. */
        public Builder shell(List<String> value) {
            shell = new ArrayList<>(value);
            return this;
        }

        /** Sets the fields not modelled by this record. */
        public Builder unknownFields(Map<String, JsonNode> value) {
            unknownFields = new TreeMap<>(value);
            return this;
        }

        /** Builds the immutable config. */
        public ExecutionConfig build() {
            return new ExecutionConfig(user, exposedPorts, env, entrypoint, cmd, volumes, workingDir, labels,
                    stopSignal, argsEscaped, healthcheck, onBuild, shell, unknownFields);
        }
    }
}
