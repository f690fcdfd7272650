package dev.wharf.cli;

import static dev.wharf.cli.CliHarness.wharf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.wharf.cli.CliHarness.Outcome;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Attack: a build uses a secret through {@code --secret} as a file mount and as an environment variable, copies it
 * inside a RUN, and hashes it. Must hold: the secret's bytes appear in no file of the store (every layer
 * decompressed, every config with its history, manifests, the build cache records and index, snapshots, sandbox
 * state) and not in the progress log, in a first build and in a cached rebuild.
 */
@Tag("reliability")
class SecretLeakReliabilityTest {
    @TempDir
    Path work;

    @Test
    void secretBytes_appearInNoLayerConfigHistoryCacheOrLog() throws Exception {
        Path root = work.resolve("store");
        CliHarness.importBusybox(work, root);
        byte[] random = new byte[16];
        new Random(11).nextBytes(random);
        String secret = "wharf-secret-" + HexFormat.of().formatHex(random);
        Path secretFile = Files.writeString(work.resolve("token"), secret);
        Path context = Files.createDirectories(work.resolve("ctx"));
        Files.writeString(context.resolve("Dockerfile"), String.join("\n",
                "FROM busybox:latest",
                "RUN --mount=type=secret,id=tok cp /run/secrets/tok /tmp/copy && md5sum /tmp/copy > /sum"
                        + " && rm /tmp/copy",
                "RUN --mount=type=secret,id=tok,env=TOKEN test -n \"$TOKEN\" && echo \"length ${#TOKEN}\" > /len",
                "RUN --mount=type=secret,id=tok,required ls -l /run/secrets/ > /listing",
                ""));
        List<String> logs = new ArrayList<>();
        for (int attempt = 0; attempt < 2; attempt++) {
            Outcome built = wharf("build", "--root", root.toString(), "-t", "secret:1", "--progress", "plain",
                    "--secret", "id=tok,src=" + secretFile, context.toString());
            assertEquals(0, built.exitCode(), built.err());
            logs.add(built.out() + built.err());
        }
        assertTrue(logs.get(1).contains("CACHED"), logs.get(1));
        byte[] needle = secret.getBytes(StandardCharsets.UTF_8);
        for (String log : logs) {
            assertTrue(!log.contains(secret), "the progress log shows the secret:\n" + log);
        }
        List<Path> scanned = new ArrayList<>();
        try (Stream<Path> files = Files.walk(root)) {
            for (Path file : files.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).toList()) {
                byte[] content = readMaybeGzip(file);
                assertTrue(indexOf(content, needle) < 0, "the secret is in " + file);
                scanned.add(file);
            }
        }
        assertTrue(scanned.stream().anyMatch(p -> p.toString().contains("/cache/records/")), "cache scanned");
        assertTrue(scanned.stream().anyMatch(p -> p.toString().contains("/blobs/sha256/")), "blobs scanned");
        Outcome listing = wharf("run", "--root", root.toString(), "secret:1", "cat", "/len", "/listing");
        assertEquals(0, listing.exitCode(), listing.err());
        assertTrue(listing.out().contains("length " + secret.length()), "the secret was usable: " + listing.out());
    }

    /** The file's bytes, decompressed when it is gzip (a layer), so a secret inside a layer is found too. */
    private static byte[] readMaybeGzip(Path file) throws IOException {
        byte[] raw = Files.readAllBytes(file);
        if (raw.length > 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toByteArray();
            } catch (IOException e) {
                return raw;
            }
        }
        return raw;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
