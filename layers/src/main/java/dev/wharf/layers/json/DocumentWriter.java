package dev.wharf.layers.json;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.wharf.layers.Descriptor;
import dev.wharf.layers.Digest;
import dev.wharf.layers.Platform;
import dev.wharf.layers.image.ExecutionConfig;
import dev.wharf.layers.image.Healthcheck;
import dev.wharf.layers.image.HistoryEntry;
import dev.wharf.layers.image.ImageConfiguration;
import dev.wharf.layers.image.ImageIndex;
import dev.wharf.layers.image.ImageManifest;
import dev.wharf.layers.image.RootFs;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * Writes the image documents (index, manifest, config and their parts) on a streaming generator, field by field,
 * giving the bytes the annotated records give Jackson's data binding under {@link CanonicalJson}'s settings (which it
 * replaces for these types: see {@link DocumentReader}): fields in the spec's order; optional ones omitted when null
 * or empty (Go's {@code omitempty}), {@code false} and 0 included; map keys sorted; {@code unknownFields} after the
 * known ones, sorted by name. Stateless apart from the generator it writes; not thread-safe.
 */
final class DocumentWriter {
    private final JsonGenerator out;

    DocumentWriter(JsonGenerator out) {
        this.out = out;
    }

    /** Tells whether this writer writes {@code value}. */
    static boolean writes(Object value) {
        return value instanceof ImageIndex || value instanceof ImageManifest || value instanceof ImageConfiguration
                || value instanceof ExecutionConfig || value instanceof Descriptor || value instanceof Platform;
    }

    /** Writes one of the values {@link #writes} accepts. */
    void write(Object value) throws IOException {
        if (value instanceof ImageIndex index) {
            index(index);
        } else if (value instanceof ImageManifest manifest) {
            manifest(manifest);
        } else if (value instanceof ImageConfiguration config) {
            configuration(config);
        } else if (value instanceof ExecutionConfig config) {
            executionConfig(config);
        } else if (value instanceof Descriptor descriptor) {
            descriptor(descriptor);
        } else if (value instanceof Platform platform) {
            platform(platform);
        } else {
            throw new IllegalArgumentException("no writer for " + value.getClass().getName());
        }
    }

    private void index(ImageIndex index) throws IOException {
        out.writeStartObject();
        out.writeNumberField("schemaVersion", index.schemaVersion());
        text("mediaType", index.mediaType());
        text("artifactType", index.artifactType());
        out.writeFieldName("manifests");
        descriptors(index.manifests());
        if (index.subject() != null) {
            out.writeFieldName("subject");
            descriptor(index.subject());
        }
        textMap("annotations", index.annotations());
        unknown(index.unknownFields());
        out.writeEndObject();
    }

    private void manifest(ImageManifest manifest) throws IOException {
        out.writeStartObject();
        out.writeNumberField("schemaVersion", manifest.schemaVersion());
        text("mediaType", manifest.mediaType());
        text("artifactType", manifest.artifactType());
        out.writeFieldName("config");
        descriptor(manifest.config());
        out.writeFieldName("layers");
        descriptors(manifest.layers());
        if (manifest.subject() != null) {
            out.writeFieldName("subject");
            descriptor(manifest.subject());
        }
        textMap("annotations", manifest.annotations());
        unknown(manifest.unknownFields());
        out.writeEndObject();
    }

    private void configuration(ImageConfiguration config) throws IOException {
        out.writeStartObject();
        if (config.created() != null) {
            out.writeStringField("created", GoTime.format(config.created()));
        }
        text("author", config.author());
        out.writeStringField("architecture", config.architecture());
        out.writeStringField("os", config.os());
        text("os.version", config.osVersion());
        texts("os.features", config.osFeatures());
        text("variant", config.variant());
        out.writeFieldName("config");
        executionConfig(config.config());
        out.writeFieldName("rootfs");
        rootFs(config.rootfs());
        if (!config.history().isEmpty()) {
            out.writeArrayFieldStart("history");
            for (HistoryEntry entry : config.history()) {
                historyEntry(entry);
            }
            out.writeEndArray();
        }
        unknown(config.unknownFields());
        out.writeEndObject();
    }

    private void executionConfig(ExecutionConfig config) throws IOException {
        out.writeStartObject();
        text("User", config.user());
        keySet("ExposedPorts", config.exposedPorts());
        texts("Env", config.env());
        texts("Entrypoint", config.entrypoint());
        texts("Cmd", config.cmd());
        keySet("Volumes", config.volumes());
        text("WorkingDir", config.workingDir());
        textMap("Labels", config.labels());
        text("StopSignal", config.stopSignal());
        if (config.argsEscaped()) {
            out.writeBooleanField("ArgsEscaped", true);
        }
        if (config.healthcheck() != null) {
            out.writeFieldName("Healthcheck");
            healthcheck(config.healthcheck());
        }
        texts("OnBuild", config.onBuild());
        texts("Shell", config.shell());
        unknown(config.unknownFields());
        out.writeEndObject();
    }

    private void healthcheck(Healthcheck check) throws IOException {
        out.writeStartObject();
        texts("Test", check.test());
        duration("Interval", check.interval());
        duration("Timeout", check.timeout());
        duration("StartPeriod", check.startPeriod());
        duration("StartInterval", check.startInterval());
        if (check.retries() != 0) {
            out.writeNumberField("Retries", check.retries());
        }
        out.writeEndObject();
    }

    private void historyEntry(HistoryEntry entry) throws IOException {
        out.writeStartObject();
        if (entry.created() != null) {
            out.writeStringField("created", GoTime.format(entry.created()));
        }
        text("created_by", entry.createdBy());
        text("author", entry.author());
        text("comment", entry.comment());
        if (entry.emptyLayer()) {
            out.writeBooleanField("empty_layer", true);
        }
        out.writeEndObject();
    }

    private void rootFs(RootFs rootfs) throws IOException {
        out.writeStartObject();
        out.writeStringField("type", rootfs.type());
        out.writeArrayFieldStart("diff_ids");
        for (Digest diffId : rootfs.diffIds()) {
            out.writeString(diffId.toString());
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    private void descriptors(List<Descriptor> descriptors) throws IOException {
        out.writeStartArray();
        for (Descriptor descriptor : descriptors) {
            descriptor(descriptor);
        }
        out.writeEndArray();
    }

    private void descriptor(Descriptor descriptor) throws IOException {
        out.writeStartObject();
        out.writeStringField("mediaType", descriptor.mediaType());
        out.writeStringField("digest", descriptor.digest().toString());
        out.writeNumberField("size", descriptor.size());
        texts("urls", descriptor.urls());
        textMap("annotations", descriptor.annotations());
        text("data", descriptor.data());
        if (descriptor.platform() != null) {
            out.writeFieldName("platform");
            platform(descriptor.platform());
        }
        text("artifactType", descriptor.artifactType());
        out.writeEndObject();
    }

    private void platform(Platform platform) throws IOException {
        out.writeStartObject();
        out.writeStringField("architecture", platform.architecture());
        out.writeStringField("os", platform.os());
        text("os.version", platform.osVersion());
        texts("os.features", platform.osFeatures());
        text("variant", platform.variant());
        out.writeEndObject();
    }

    /** An optional text field: omitted when null or empty. */
    private void text(String name, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            out.writeStringField(name, value);
        }
    }

    /** An optional string list: omitted when empty. */
    private void texts(String name, List<String> values) throws IOException {
        if (!values.isEmpty()) {
            out.writeArrayFieldStart(name);
            for (String value : values) {
                out.writeString(value);
            }
            out.writeEndArray();
        }
    }

    /** An optional string map, sorted by key: omitted when empty. */
    private void textMap(String name, SortedMap<String, String> map) throws IOException {
        if (!map.isEmpty()) {
            out.writeObjectFieldStart(name);
            for (Map.Entry<String, String> entry : map.entrySet()) {
                out.writeStringField(entry.getKey(), entry.getValue());
            }
            out.writeEndObject();
        }
    }

    /** An optional set as Go's {@code map[string]struct{}}: {@code {"key":{},...}}, omitted when empty. */
    private void keySet(String name, Collection<String> keys) throws IOException {
        if (!keys.isEmpty()) {
            out.writeObjectFieldStart(name);
            for (String key : keys) {
                out.writeFieldName(key);
                out.writeStartObject();
                out.writeEndObject();
            }
            out.writeEndObject();
        }
    }

    /** An optional Go duration in nanoseconds: omitted when null or zero. */
    private void duration(String name, Duration value) throws IOException {
        if (value != null && !value.isZero()) {
            out.writeNumberField(name, value.toNanos());
        }
    }

    private void unknown(Map<String, JsonNode> fields) throws IOException {
        for (Map.Entry<String, JsonNode> field : fields.entrySet()) {
            out.writeFieldName(field.getKey());
            if (field.getValue() == null) {
                out.writeNull();
            } else {
                JsonTrees.write(out, field.getValue());
            }
        }
    }
}
