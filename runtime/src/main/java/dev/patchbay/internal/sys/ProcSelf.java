/*
 * Problem: Patchbay's invariants are about the process as the kernel sees it (no
 * mapping is writable and executable; closing code memory gives back every mapping
 * and descriptor), and tests must observe that from outside our own bookkeeping.
 * Approach: small readers of /proc/self: the parsed /proc/self/maps, the number of
 * open descriptors in /proc/self/fd, and the bytes of the mappings that match a
 * predicate. Each call reads the files afresh; nothing is cached.
 */
package dev.patchbay.internal.sys;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** Readers of /proc/self for invariant and leak checks. */
public final class ProcSelf {
    private static final Path MAPS = Path.of("/proc/self/maps");
    private static final Path FD_DIR = Path.of("/proc/self/fd");

    private ProcSelf() {}

    /**
     * One line of /proc/self/maps.
     *
     * @param start  first address
     * @param end    address just past the mapping
     * @param perms  four letters, e.g. "r-xs": read, write, execute, then 's'hared or 'p'rivate
     * @param offset offset into the mapped file
     * @param path   the file, a pseudo-path like "[stack]", or "" for an anonymous mapping;
     *               a memfd shows as "/memfd:NAME (deleted)"
     */
    public record Mapping(long start, long end, String perms, long offset, String path) {
        public long size() {
            return end - start;
        }

        public boolean readable() {
            return perms.charAt(0) == 'r';
        }

        public boolean writable() {
            return perms.charAt(1) == 'w';
        }

        public boolean executable() {
            return perms.charAt(2) == 'x';
        }

        public boolean shared() {
            return perms.charAt(3) == 's';
        }

        public boolean contains(long addr) {
            return start <= addr && addr < end;
        }
    }

    /** The current mappings of this process, in address order. */
    public static List<Mapping> maps() {
        List<Mapping> result = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(MAPS, StandardCharsets.UTF_8)) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.isEmpty()) {
                    result.add(parse(line));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MAPS, e);
        }
        return result;
    }

    /**
     * Parses "start-end perms offset dev inode   path". The path is everything after
     * the inode field with the padding removed, so it may contain spaces.
     */
    static Mapping parse(String line) {
        int[] fieldStart = new int[6];
        int pos = 0;
        for (int field = 0; field < 6; field++) {
            while (pos < line.length() && line.charAt(pos) == ' ') pos++;
            fieldStart[field] = pos;
            if (field < 5) {
                while (pos < line.length() && line.charAt(pos) != ' ') pos++;
            }
        }
        try {
            String range = line.substring(fieldStart[0], line.indexOf(' ', fieldStart[0]));
            int dash = range.indexOf('-');
            long start = Long.parseUnsignedLong(range.substring(0, dash), 16);
            long end = Long.parseUnsignedLong(range.substring(dash + 1), 16);
            String perms = line.substring(fieldStart[1], fieldStart[1] + 4);
            long offset = Long.parseUnsignedLong(line.substring(fieldStart[2], line.indexOf(' ', fieldStart[2])), 16);
            String path = fieldStart[5] < line.length() ? line.substring(fieldStart[5]) : "";
            return new Mapping(start, end, perms, offset, path);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("unparseable /proc/self/maps line: \"" + line + "\"", e);
        }
    }

    /**
     * The number of entries in /proc/self/fd. The descriptor used to list the
     * directory is one of them, so compare counts rather than expecting absolutes.
     */
    public static int openFdCount() {
        int count = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(FD_DIR)) {
            for (Path ignored : entries) {
                count++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + FD_DIR, e);
        }
        return count;
    }

    /** The number of open descriptors whose target contains {@code needle} (e.g. "memfd:patchbay"). */
    public static int openFdsMatching(String needle) {
        int count = 0;
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(FD_DIR)) {
            for (Path p : entries) {
                try {
                    if (Files.readSymbolicLink(p).toString().contains(needle)) count++;
                } catch (IOException ignored) {
                    // the descriptor was closed while we listed the directory
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + FD_DIR, e);
        }
        return count;
    }

    /** The total size in bytes of the current mappings that match {@code filter}. */
    public static long mappedBytesMatching(Predicate<Mapping> filter) {
        long total = 0;
        for (Mapping m : maps()) {
            if (filter.test(m)) {
                total += m.size();
            }
        }
        return total;
    }
}
