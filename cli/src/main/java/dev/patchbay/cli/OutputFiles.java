/*
 * Every file the CLI writes (flame graph, bench JSON, plot, the demo's flame graph) goes
 * through here, so a file that cannot be written is always a one-line message and a
 * non-zero exit, never a stack trace or a silent exit 0:
 *  - check() before the work starts (a directory, a missing parent directory, no write
 *    permission), so a long run does not end in a file that could never be written;
 *  - write() reports the write itself failing (a full disk, a read-only file system) as
 *    an OutputException with the same message form.
 */
package dev.patchbay.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

final class OutputFiles {
    private OutputFiles() {}

    /** A file that could not be written; the message is ready to print after "patchbay: ". */
    static final class OutputException extends Exception {
        OutputException(String message) {
            super(message);
        }
    }

    interface Writer {
        void write(Path file) throws IOException;
    }

    /** Why {@code file} (given with {@code option}) cannot be written, or null if it looks writable. */
    static String problem(String option, Path file) {
        if (Files.isDirectory(file)) return "cannot write " + option + " " + file + ": is a directory";
        Path parent = file.toAbsolutePath().getParent();
        if (parent == null || !Files.isDirectory(parent)) return "cannot write " + option + " " + file + ": no such directory " + parent;
        if (Files.exists(file) ? !Files.isWritable(file) : !Files.isWritable(parent)) {
            return "cannot write " + option + " " + file + ": permission denied";
        }
        return null;
    }

    /** Throws the problem() of {@code file}, if any, as an IllegalArgumentException (bad usage). */
    static void check(String option, Path file) {
        if (file == null) return;
        String p = problem(option, file);
        if (p != null) throw new IllegalArgumentException(p);
    }

    /** Writes {@code file} with {@code writer}, turning any failure into an OutputException. */
    static void write(String option, Path file, Writer writer) throws OutputException {
        try {
            writer.write(file);
        } catch (IOException | RuntimeException e) {
            throw new OutputException("cannot write " + option + " " + file + ": " + reason(e));
        }
    }

    /** A short reason for an I/O failure: "permission denied", "No space left on device", ... */
    static String reason(Exception e) {
        if (e instanceof NoSuchFileException) return "no such file or directory";
        if (e instanceof AccessDeniedException) return "permission denied";
        if (e instanceof FileSystemException && ((FileSystemException) e).getReason() != null) return ((FileSystemException) e).getReason();
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
