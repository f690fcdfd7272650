package dev.wharf.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link OciSpecJson} against Jackson's data binding of the annotated {@link OciSpec} records, which it replaces. */
class OciSpecJsonTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void write_givesTheBytesOfJacksonDataBinding_forFullAndSparseSpecs() throws Exception {
        List<String> some = List.of("x", "\"quoted\" \u00e9 \n");
        OciSpec full = new OciSpec("1.0.2", new OciSpec.Process(true, new OciSpec.User(0, 5, List.of(0L, 7L)), some,
                some, "/work", new OciSpec.Capabilities(some, List.of(), some), List.of(new OciSpec.Rlimit(
                "RLIMIT_NOFILE", 1024, 512), new OciSpec.Rlimit(null, 0, 0)), true), new OciSpec.Root("rootfs", true),
                "host", List.of(new OciSpec.Mount("/proc", "proc", "proc", some), new OciSpec.Mount("/x", "", null,
                List.of())), new OciSpec.Linux(List.of(new OciSpec.Namespace("pid"), new OciSpec.Namespace(null)),
                some, List.of(), "/wharf/x", new OciSpec.Resources(List.of(new OciSpec.DeviceRule(false, "rwm"),
                new OciSpec.DeviceRule(true, null)), new OciSpec.Memory(1 << 30, -1), new OciSpec.Cpu(50000, 100000),
                new OciSpec.Pids(100)), new OciSpec.Seccomp("SCMP_ACT_ERRNO", 1L, some, List.of(new OciSpec.Syscall(
                some, "SCMP_ACT_ALLOW", 0L, List.of(new OciSpec.SyscallArg(0, 1, 2, "SCMP_CMP_EQ"),
                new OciSpec.SyscallArg(1, 0, 0, null))), new OciSpec.Syscall(List.of(), "", null, List.of())))));
        OciSpec sparse = new OciSpec(null, new OciSpec.Process(false, new OciSpec.User(0, 0, List.of()), List.of(),
                List.of(), null, null, null, false), new OciSpec.Root(null, false), null, List.of(),
                new OciSpec.Linux(List.of(), List.of(), List.of(), null, new OciSpec.Resources(List.of())));
        OciSpec minimal = new OciSpec("1.0.2", null, null, null, List.of(), null);
        OciSpec unconfined = new OciSpec("1.0.2", null, null, "h", List.of(), new OciSpec.Linux(List.of(), some, some,
                "/c", null, new OciSpec.Seccomp(null, null, List.of(), List.of())));
        for (OciSpec spec : List.of(full, sparse, minimal, unconfined)) {
            assertEquals(new String(mapper.writeValueAsBytes(spec), StandardCharsets.UTF_8),
                    new String(OciSpecJson.write(spec), StandardCharsets.UTF_8));
        }
    }

    @Test
    void write_givesTheBytesOfJacksonDataBinding_forDockersDefaultSeccompProfile() throws Exception {
        for (String arch : List.of("amd64", "aarch64")) {
            OciSpec.Seccomp seccomp = SeccompProfile.dockerDefault().resolve(arch, List.of("CAP_CHOWN", "CAP_SYS_ADMIN"), 5, 10);
            OciSpec spec = new OciSpec("1.0.2", null, null, null, List.of(), new OciSpec.Linux(List.of(), List.of(),
                    List.of(), null, null, seccomp));
            assertEquals(new String(mapper.writeValueAsBytes(spec), StandardCharsets.UTF_8),
                    new String(OciSpecJson.write(spec), StandardCharsets.UTF_8));
        }
    }
}
