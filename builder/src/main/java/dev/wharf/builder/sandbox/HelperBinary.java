package dev.wharf.builder.sandbox;

import dev.wharf.layers.layout.AtomicFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;

/**
 * The native sandbox helper ({@code src/main/c/wharf-sandbox.c}), compiled by the build when gcc is there and
 * packaged as the resource {@code native/linux-<arch>/wharf-sandbox} beside this class. {@link #install} writes it
 * once into a state directory under a name that carries its digest ({@code wharf-sandbox-<sha256 prefix>}),
 * atomically and with mode 0755, so concurrent processes and different wharf versions never see a partial or a
 * wrong binary. Without the resource (no gcc at build time, another architecture) the built-in sandbox keeps its
 * shell path. Stateless.
 */
final class HelperBinary {
    static final String NAME = "wharf-sandbox";

    private HelperBinary() {
    }

    /** The resource path of the helper for this JVM's architecture. */
    static String resource() {
        return "native/linux-" + arch() + "/" + NAME;
    }

    /** {@code uname -m} of this machine, from {@code os.arch}. */
    static String arch() {
        String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "arm64", "aarch64" -> "aarch64";
            case "x86", "i386", "i486", "i586", "i686" -> "i686";
            default -> arch;
        };
    }

    /**
     * The helper, installed in {@code dir} (made if missing); empty when this build of wharf has none for this
     * architecture or it cannot be written there.
     */
    static Optional<Path> install(Path dir) {
        if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("linux")) {
            return Optional.empty();
        }
        // The build writes the binary's SHA-256 beside it: an installed helper is found without reading the binary.
        Optional<String> known = knownDigest();
        if (known.isPresent()) {
            Path target = dir.resolve(NAME + "-" + known.get().substring(0, 16));
            if (Files.isRegularFile(target) && Files.isExecutable(target)) {
                return Optional.of(target);
            }
        }
        byte[] binary;
        try (InputStream in = HelperBinary.class.getResourceAsStream(resource())) {
            if (in == null) {
                return Optional.empty();
            }
            binary = in.readAllBytes();
        } catch (IOException e) {
            return Optional.empty();
        }
        Path target = dir.resolve(NAME + "-" + digest(binary).substring(0, 16));
        try {
            if (Files.isRegularFile(target) && Files.isExecutable(target) && Files.size(target) == binary.length) {
                return Optional.of(target);
            }
            Files.createDirectories(dir);
            // AtomicFiles.replace's steps, with the mode set before the rename: a concurrent process either finds
            // no file or a complete executable one.
            Path temp = Files.createTempFile(dir, ".tmp-" + NAME + "-", "");
            try {
                Files.write(temp, binary);
                Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
                try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                    channel.force(true);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                AtomicFiles.fsyncDirectory(dir);
            } finally {
                Files.deleteIfExists(temp);
            }
            return Optional.of(target);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<String> knownDigest() {
        try (InputStream in = HelperBinary.class.getResourceAsStream(resource() + ".sha256")) {
            if (in == null) {
                return Optional.empty();
            }
            String hex = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
            return hex.matches("[0-9a-f]{64}") ? Optional.of(hex) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The lower-case hex SHA-256 of {@code binary}. */
    static String digest(byte[] binary) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(binary));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
