package dev.wharf.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The workload the class-data archive ({@code cli/target/wharf.jsa}) is recorded from at package time: the
 * commands whose start time matters, in one JVM run with {@code -XX:ArchiveClassesAtExit}: {@code version},
 * {@code --help}, {@code parse}, and a build of a small Dockerfile (COPY and metadata steps, no RUN, so no root
 * is needed) on a throwaway store, done twice so the second is fully cached, then {@code images} and
 * {@code inspect}, a {@code push} of the image to an in-memory registry ({@link TrainingRegistry}) and a
 * {@code pull} of it into a second store (the registry client's and the JDK HTTP client's classes: about 700 that a
 * fresh {@code wharf pull} otherwise loads and verifies at every start). The context holds a directory of
 * {@value #DATA_FILES} small files, which the build copies: past a few hundred entries a context is listed through
 * the native binding (jnr-ffi) and in parallel, and a directory's files are hashed ahead, so those classes are
 * archived too. Never fails the package build: the archive is an optimisation.
 */
public final class CdsTraining {
    /** More than ContextWalker's thresholds for the native binding (512 entries) and parallel listing (2048). */
    private static final int DATA_FILES = 3000;

    private CdsTraining() {
    }

    public static void main(String[] args) throws IOException {
        Path work = Files.createTempDirectory("wharf-cds-");
        try {
            Path context = Files.createDirectories(work.resolve("context"));
            Files.writeString(context.resolve("Dockerfile"), "# syntax=docker/dockerfile:1\n"
                    + "ARG BASE=scratch\nFROM ${BASE} AS base\nFROM base\nLABEL org.opencontainers.image.title=cds\n"
                    + "ENV GREETING=\"hello\"\nWORKDIR /app\nCOPY --chmod=0755 hello.sh /app/hello.sh\n"
                    + "COPY data /data\nUSER nobody\nCMD [\"/app/hello.sh\"]\n");
            Files.writeString(context.resolve("hello.sh"), "#!/bin/sh\necho hello\n");
            for (int i = 0; i < DATA_FILES; i++) {
                Path dir = Files.createDirectories(context.resolve("data/d" + i / 100));
                Files.writeString(dir.resolve("f" + i), Integer.toString(i));
            }
            Files.writeString(context.resolve(".dockerignore"), "*.tmp\n");
            String root = work.resolve("store").toString();
            PrintWriter sink = new PrintWriter(OutputStream.nullOutputStream());
            run(sink, "version");
            run(sink, "--version");
            run(sink, "--help");
            run(sink, "build", "--help");
            run(sink, "parse", context.resolve("Dockerfile").toString());
            for (int i = 0; i < 2; i++) {
                run(sink, "build", "--root", root, "--progress", "plain", "-t", "cds:latest", context.toString());
            }
            for (String progress : new String[] {"quiet", "tty", "rawjson"}) {
                run(sink, "build", "--root", root, "--progress", progress, "-t", "cds:latest", context.toString());
            }
            run(sink, "images", "--root", root);
            run(sink, "inspect", "--root", root, "cds:latest");
            try (TrainingRegistry registry = TrainingRegistry.start()) {
                String remote = registry.host() + "/cds/app:1";
                run(sink, "tag", "--root", root, "cds:latest", remote);
                run(sink, "push", "--root", root, remote);
                run(sink, "pull", "--root", work.resolve("pulled").toString(), remote);
            } catch (IOException e) {
                // No loopback socket: the archive is made without the registry classes.
            }
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void run(PrintWriter sink, String... args) {
        try {
            Main.run(args, sink, sink);
        } catch (RuntimeException e) {
            // A failing command still loaded most of its classes; the archive stays useful.
        }
    }
}
