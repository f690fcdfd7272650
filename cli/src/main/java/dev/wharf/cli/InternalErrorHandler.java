package dev.wharf.cli;

import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Prints an unexpected exception as one line, and its stack trace only under {@code --debug}: users get a
 * message, developers get the trace when they ask.
 */
final class InternalErrorHandler implements IExecutionExceptionHandler {

    @Override
    public int handleExecutionException(Exception exception, CommandLine commandLine, ParseResult parseResult) {
        boolean debug = parseResult.hasMatchedOption("--debug")
                || (parseResult.subcommand() != null && parseResult.subcommand().hasMatchedOption("--debug"));
        var err = commandLine.getErr();
        err.println("wharf: internal error: " + exception);
        if (debug) {
            exception.printStackTrace(err);
        } else {
            err.println("(run with --debug for the stack trace)");
        }
        err.flush();
        return ExitCodes.FAILED;
    }
}
