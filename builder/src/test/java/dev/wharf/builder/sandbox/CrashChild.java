package dev.wharf.builder.sandbox;

import dev.wharf.builder.snapshot.Mount;
import dev.wharf.builder.snapshot.OverlaySnapshotter;
import java.nio.file.Path;
import java.util.List;

/**
 * A JVM that starts a long sandboxed {@code sleep} and then waits to be killed; {@link CrashTest} runs it and kills
 * it with SIGKILL. Arguments: runtime name, state root, snapshot root (with a committed {@code base}), etc dir.
 */
public final class CrashChild {
    private CrashChild() {
    }

    public static void main(String[] args) throws Exception {
        String runtime = args[0];
        Path state = Path.of(args[1]);
        Sandbox sandbox = CrashTest.sandbox(runtime, state);
        List<Mount> rootfs = new OverlaySnapshotter(Path.of(args[2])).prepare("crash-run", "base");
        Path etc = Path.of(args[3]);
        sandbox.start(SandboxSpec.builder(rootfs, List.of("/bin/sh", "-c", "echo started; sleep 987900; echo late"),
                etc.resolve("hosts"), etc.resolve("resolv.conf")).build(), (stream, line) -> {
                    System.out.println(line);
                    System.out.flush();
                });
        Thread.sleep(Long.MAX_VALUE);
    }
}
