package dev.wharf.cli;

/**
 * A command failed for a reason the user can act on (no such image, an unreadable archive); its message is the one
 * line printed after the command's name, and the command exits with {@link ExitCodes#FAILED}.
 */
final class CommandException extends Exception {
    private static final long serialVersionUID = 1L;

    CommandException(String message) {
        super(message);
    }

    CommandException(String message, Throwable cause) {
        super(message, cause);
    }
}
