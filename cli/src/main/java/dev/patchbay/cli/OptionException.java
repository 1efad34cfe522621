/*
 * A problem with an option's value or with what an option asked for (a port that cannot
 * be bound, profiling code that has no profile sites), found after parsing. Its message
 * names the option and is ready to print after "patchbay: ". The commands catch it apart
 * from errors about the input file, so an option's problem is never reported as
 * "FILE: error: ...", which would send the user looking in the wrong place.
 */
package dev.patchbay.cli;

final class OptionException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    OptionException(String message) {
        super(message);
    }
}
