package dev.wharf.cli;

import static dev.wharf.cli.CommandModel.flag;
import static dev.wharf.cli.CommandModel.lines;
import static dev.wharf.cli.CommandModel.option;
import static dev.wharf.cli.CommandModel.value;

import dev.wharf.builder.doctor.StoreDoctor;
import dev.wharf.layers.LayerException;
import dev.wharf.layers.archive.ArchiveImporter;
import dev.wharf.layers.archive.ImportResult;
import dev.wharf.layers.archive.ImportedImage;
import dev.wharf.layers.layout.StoreUsers;
import dev.wharf.layers.store.ImageName;
import dev.wharf.layers.store.LocalStore;
import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import picocli.CommandLine.Model.CommandSpec;

/** {@code wharf load}: loads images from an archive, like {@code docker load}. */
final class LoadCommand extends StoreCommand {
    Path input;
    boolean quiet;

    /** A new {@code load} command and its model. */
    static CommandSpec model() {
        LoadCommand command = new LoadCommand();
        CommandSpec spec = StoreCommand.model(command, "load",
                lines("Load images from a docker save tarball, an OCI archive or an OCI layout directory (tarballs "
                                + "may be gzip or zstd compressed).",
                        "Each image keeps the names the archive gives it (RepoTags, io.containerd.image.name or a "
                                + "name:tag org.opencontainers.image.ref.name)."),
                lines("0:the images were loaded",
                        "1:the archive is missing, unreadable, corrupted or hostile",
                        "2:usage error", ExitCodes.FLAG_HELP),
                "  wharf load -i busybox.tar",
                "  docker save busybox | wharf load",
                "  wharf load -i oci-layout-dir/");
        spec.addOption(option(Path.class, "FILE", "-i", "--input")
                .description("Read from this archive file or OCI layout directory instead of standard input.")
                .build());
        spec.addOption(flag("quiet", "-q", "--quiet")
                .description("Accepted for docker compatibility; wharf prints no progress.")
                .build());
        return CommandModel.withStandardHelp(spec);
    }

    @Override
    void read() {
        input = value(spec, "--input");
        quiet = value(spec, "--quiet");
    }

    @Override
    int execute() throws LayerException, CommandException {
        PrintWriter out = out();
        Path spooled = null;
        // On Ctrl-C or SIGTERM the JVM used to end at once (130, 143), with nothing said and the blob being staged
        // left in the store's ingest/ for a day. Interrupted, the import stops and deletes what it staged, and the
        // command ends as docker load does on a cancelled context: one line, status 1.
        try (InterruptOnShutdown stop = new InterruptOnShutdown()) {
            // The input is checked before the store is opened, as docker load changes nothing when it has none:
            // opening the store created a missing --root. Standard input is peeked, not spooled, so that the load
            // is registered as a user of the store while the rest of a slow pipe arrives and is staged.
            FileChannel stdin = null;
            ByteBuffer first = null;
            try {
                if (input == null) {
                    stdin = stdinChannel();
                    first = peek(stdin);
                } else if (!Files.exists(input)) {
                    // docker load's os.Open error.
                    throw new CommandException("open " + input + ": no such file or directory");
                }
            } catch (CommandException e) {
                if (!stop.cancelled()) {
                    throw e;
                }
                return reportCancelled(stop);
            }
            LocalStore local = openStore();
            // Registered as a user of the store while it stages blobs, as builds, pulls and imports are: a build
            // starting meanwhile with no other user alive (or a prune) deleted the staged files of an unregistered
            // load as an interrupted write's, and the load failed at its commit.
            try (StoreUsers.Registration user = register()) {
                Path source = input;
                if (source == null) {
                    // The importer reads an archive more than once (manifest first), so stdin is spooled to a file.
                    spooled = spool(stdin, first);
                    source = spooled;
                }
                ImportResult result = ArchiveImporter.into(local).importFrom(source);
                for (ImportedImage image : result.images()) {
                    if (image.names().isEmpty()) {
                        out.println("Loaded image ID: "
                                + (image.configDigest() != null ? image.configDigest() : image.target().digest()));
                    }
                    for (ImageName name : image.names()) {
                        out.println("Loaded image: " + name);
                    }
                }
                out.flush();
                stop.endWith(ExitCodes.OK);
                return ExitCodes.OK;
            } catch (LayerException | CommandException | RuntimeException e) {
                if (!stop.cancelled()) {
                    throw e;
                }
                return reportCancelled(stop);
            } finally {
                deleteQuietly(spooled);
            }
        }
    }

    /** A failure after a shutdown interrupted the load is the cancellation: docker load's one line, status 1. */
    private int reportCancelled(InterruptOnShutdown stop) {
        error("context canceled");
        err().flush();
        stop.endWith(ExitCodes.FAILED);
        return ExitCodes.FAILED;
    }

    private StoreUsers.Registration register() throws CommandException {
        Path root = store.resolve();
        try {
            return StoreDoctor.users(root).register();
        } catch (IOException e) {
            throw new CommandException("cannot register with the store at " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Copies standard input to a temporary file. Read through a {@link FileChannel} on file descriptor 0, not
     * {@code System.in}: a read blocked on a pipe whose writer is still open (a slow {@code docker save |}, a
     * terminal) cannot be interrupted through a stream, so Ctrl-C left the JVM waiting out its shutdown grace and
     * ending with 130 or 143, and the half-spooled file (not yet known to the caller) in the temp directory. The
     * channel is interruptible: the interrupt closes it and wakes the read, and the file is deleted here.
     */
    @SuppressWarnings("resource") // closing it closes file descriptor 0, which nothing reads after this
    private static FileChannel stdinChannel() {
        return new FileInputStream(FileDescriptor.in).getChannel();
    }

    /**
     * The first byte of standard input, read before the store is opened; fails as docker load does on an empty
     * standard input (its {@code requested load from stdin, but stdin is empty}).
     */
    private static ByteBuffer peek(FileChannel stdin) throws CommandException {
        ByteBuffer first = ByteBuffer.allocate(1);
        try {
            while (first.hasRemaining()) {
                if (stdin.read(first) < 0) {
                    throw new CommandException("requested load from stdin, but stdin is empty");
                }
            }
        } catch (IOException e) {
            throw new CommandException("cannot read the archive from stdin: " + e.getMessage(), e);
        }
        return first.flip();
    }

    private static Path spool(FileChannel stdin, ByteBuffer first) throws CommandException {
        Path file = null;
        try {
            file = TemporaryFiles.file("wharf-load-", ".tar");
            try (FileChannel out = FileChannel.open(file, StandardOpenOption.WRITE)) {
                while (first.hasRemaining()) {
                    out.write(first);
                }
                ByteBuffer buffer = ByteBuffer.allocate(256 * 1024);
                while (stdin.read(buffer) >= 0) {
                    buffer.flip();
                    while (buffer.hasRemaining()) {
                        out.write(buffer);
                    }
                    buffer.clear();
                }
            }
            Path spooled = file;
            file = null;
            return spooled;
        } catch (IOException e) {
            throw new CommandException("cannot read the archive from stdin: " + e.getMessage(), e);
        } finally {
            deleteQuietly(file);
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // A leftover file in the temp directory is harmless.
            }
        }
    }
}
