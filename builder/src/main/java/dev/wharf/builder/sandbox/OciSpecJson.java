package dev.wharf.builder.sandbox;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Writes an {@link OciSpec} as the runtime's {@code config.json}, field by field on a streaming generator: the bytes
 * Jackson's data binding gives for the annotated records (fields in record order, {@code null} and, where the record
 * says so, empty values left out), without building its serializers by reflection, which cost a fresh process about
 * 40 ms of CPU time before its first {@code RUN} step. Stateless and thread-safe.
 */
final class OciSpecJson {
    /** Default settings, never reconfigured. */
    private static final JsonFactory FACTORY = new JsonFactory();

    private OciSpecJson() {
    }

    /** The spec's JSON (UTF-8). */
    static byte[] write(OciSpec spec) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(8192);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            spec(g, spec);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the OCI runtime spec", e);
        }
        return out.toByteArray();
    }

    private static void spec(JsonGenerator g, OciSpec spec) throws IOException {
        g.writeStartObject();
        stringIfSet(g, "ociVersion", spec.ociVersion());
        if (spec.process() != null) {
            g.writeFieldName("process");
            process(g, spec.process());
        }
        if (spec.root() != null) {
            g.writeObjectFieldStart("root");
            g.writeStringField("path", spec.root().path());
            g.writeBooleanField("readonly", spec.root().readonly());
            g.writeEndObject();
        }
        stringIfSet(g, "hostname", spec.hostname());
        g.writeArrayFieldStart("mounts");
        for (OciSpec.Mount mount : spec.mounts()) {
            g.writeStartObject();
            stringIfNotEmpty(g, "destination", mount.destination());
            stringIfNotEmpty(g, "type", mount.type());
            stringIfNotEmpty(g, "source", mount.source());
            stringsIfNotEmpty(g, "options", mount.options());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (spec.linux() != null) {
            g.writeFieldName("linux");
            linux(g, spec.linux());
        }
        g.writeEndObject();
    }

    private static void process(JsonGenerator g, OciSpec.Process process) throws IOException {
        g.writeStartObject();
        g.writeBooleanField("terminal", process.terminal());
        if (process.user() != null) {
            OciSpec.User user = process.user();
            g.writeObjectFieldStart("user");
            g.writeNumberField("uid", user.uid());
            g.writeNumberField("gid", user.gid());
            if (!user.additionalGids().isEmpty()) {
                g.writeArrayFieldStart("additionalGids");
                for (long gid : user.additionalGids()) {
                    g.writeNumber(gid);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        strings(g, "args", process.args());
        strings(g, "env", process.env());
        stringIfSet(g, "cwd", process.cwd());
        if (process.capabilities() != null) {
            g.writeObjectFieldStart("capabilities");
            strings(g, "bounding", process.capabilities().bounding());
            strings(g, "effective", process.capabilities().effective());
            strings(g, "permitted", process.capabilities().permitted());
            g.writeEndObject();
        }
        if (process.rlimits() != null) {
            g.writeArrayFieldStart("rlimits");
            for (OciSpec.Rlimit rlimit : process.rlimits()) {
                g.writeStartObject();
                g.writeStringField("type", rlimit.type());
                g.writeNumberField("hard", rlimit.hard());
                g.writeNumberField("soft", rlimit.soft());
                g.writeEndObject();
            }
            g.writeEndArray();
        }
        g.writeBooleanField("noNewPrivileges", process.noNewPrivileges());
        g.writeEndObject();
    }

    private static void linux(JsonGenerator g, OciSpec.Linux linux) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("namespaces");
        for (OciSpec.Namespace namespace : linux.namespaces()) {
            g.writeStartObject();
            g.writeStringField("type", namespace.type());
            g.writeEndObject();
        }
        g.writeEndArray();
        strings(g, "maskedPaths", linux.maskedPaths());
        strings(g, "readonlyPaths", linux.readonlyPaths());
        stringIfSet(g, "cgroupsPath", linux.cgroupsPath());
        if (linux.resources() != null) {
            g.writeFieldName("resources");
            resources(g, linux.resources());
        }
        if (linux.seccomp() != null) {
            g.writeFieldName("seccomp");
            seccomp(g, linux.seccomp());
        }
        g.writeEndObject();
    }

    private static void resources(JsonGenerator g, OciSpec.Resources resources) throws IOException {
        g.writeStartObject();
        g.writeArrayFieldStart("devices");
        for (OciSpec.DeviceRule rule : resources.devices()) {
            g.writeStartObject();
            g.writeBooleanField("allow", rule.allow());
            g.writeStringField("access", rule.access());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (resources.memory() != null) {
            g.writeObjectFieldStart("memory");
            g.writeNumberField("limit", resources.memory().limit());
            g.writeNumberField("swap", resources.memory().swap());
            g.writeEndObject();
        }
        if (resources.cpu() != null) {
            g.writeObjectFieldStart("cpu");
            g.writeNumberField("quota", resources.cpu().quota());
            g.writeNumberField("period", resources.cpu().period());
            g.writeEndObject();
        }
        if (resources.pids() != null) {
            g.writeObjectFieldStart("pids");
            g.writeNumberField("limit", resources.pids().limit());
            g.writeEndObject();
        }
        g.writeEndObject();
    }

    private static void seccomp(JsonGenerator g, OciSpec.Seccomp seccomp) throws IOException {
        g.writeStartObject();
        stringIfSet(g, "defaultAction", seccomp.defaultAction());
        if (seccomp.defaultErrnoRet() != null) {
            g.writeNumberField("defaultErrnoRet", seccomp.defaultErrnoRet());
        }
        strings(g, "architectures", seccomp.architectures());
        g.writeArrayFieldStart("syscalls");
        for (OciSpec.Syscall syscall : seccomp.syscalls()) {
            g.writeStartObject();
            stringsIfNotEmpty(g, "names", syscall.names());
            stringIfNotEmpty(g, "action", syscall.action());
            if (syscall.errnoRet() != null) {
                g.writeNumberField("errnoRet", syscall.errnoRet());
            }
            if (!syscall.args().isEmpty()) {
                g.writeArrayFieldStart("args");
                for (OciSpec.SyscallArg arg : syscall.args()) {
                    g.writeStartObject();
                    g.writeNumberField("index", arg.index());
                    g.writeNumberField("value", arg.value());
                    g.writeNumberField("valueTwo", arg.valueTwo());
                    g.writeStringField("op", arg.op());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    /** A field of a record included when non-null. */
    private static void stringIfSet(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    /** A field of a record included when non-empty. */
    private static void stringIfNotEmpty(JsonGenerator g, String name, String value) throws IOException {
        if (value != null && !value.isEmpty()) {
            g.writeStringField(name, value);
        }
    }

    private static void stringsIfNotEmpty(JsonGenerator g, String name, List<String> values) throws IOException {
        if (!values.isEmpty()) {
            strings(g, name, values);
        }
    }

    private static void strings(JsonGenerator g, String name, List<String> values) throws IOException {
        g.writeArrayFieldStart(name);
        for (String value : values) {
            g.writeString(value);
        }
        g.writeEndArray();
    }
}
