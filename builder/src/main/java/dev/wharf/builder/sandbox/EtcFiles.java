package dev.wharf.builder.sandbox;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The {@code /etc/hosts} file wharf supplies to a sandbox, with BuildKit's content ({@code executor/oci/hosts.go},
 * {@code initHostsFile}). Stateless.
 */
public final class EtcFiles {
    private EtcFiles() {
    }

    /** BuildKit's hosts file text for {@code hostname} (empty means {@code buildkitsandbox}). */
    public static String hosts(String hostname) {
        String name = hostname == null || hostname.isEmpty() ? SandboxSpec.DEFAULT_HOSTNAME : hostname;
        return "127.0.0.1\tlocalhost " + name + "\n::1\tlocalhost ip6-localhost ip6-loopback\n";
    }

    /** Writes {@link #hosts} to {@code file} (mode 0644) and returns it. */
    public static Path writeHosts(Path file, String hostname) throws IOException {
        Files.writeString(file, hosts(hostname));
        return file;
    }
}
