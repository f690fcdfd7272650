package dev.wharf.grammar.go;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The text of Go's {@code *fs.PathError} ({@code "open Dockerfile: no such file or directory"}) for a Java I/O
 * exception, so that messages about files read as BuildKit's and buildx's do. Stateless and thread-safe.
 */
public final class GoPathErrors {
    private GoPathErrors() {
    }

    /** {@code OP PATH: REASON}, as Go's {@code PathError.Error()}. */
    public static String message(String op, String path, IOException e) {
        return op + " " + path + ": " + reason(e);
    }

    /**
     * The errno text Go prints ({@code syscall.Errno.Error()}) for the exceptions Java maps from ENOENT, EACCES,
     * EISDIR, ENOTDIR and ENOTEMPTY; else the exception's own message.
     */
    public static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (e instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (e instanceof FileSystemException fs && fs.getReason() != null && !fs.getReason().isEmpty()) {
            // The JDK passes strerror's text on, capitalized ("Not a directory"); Go's is lower case.
            String r = fs.getReason();
            return Character.toLowerCase(r.charAt(0)) + r.substring(1);
        }
        if (e.getMessage() == null) {
            return e.getClass().getSimpleName();
        }
        // Reading a directory fails with strerror(EISDIR) as the plain exception's message.
        return e.getMessage().equals("Is a directory") ? "is a directory" : e.getMessage();
    }
}
