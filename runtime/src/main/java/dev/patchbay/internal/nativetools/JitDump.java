/*
 * perf cannot name guest code: a Store's code lives in a memfd mapping, which perf sees
 * as "memfd:patchbay:store (deleted)" with raw offsets, and /tmp/perf-PID.map would not
 * help since that map is only read for anonymous mappings. perf's own answer for JITs is
 * the jitdump file (tools/perf/Documentation/jitdump-specification.txt): the runtime
 * appends a JIT_CODE_LOAD record (address, size, name, the code bytes) for every function
 * it maps, and `perf inject --jit` turns the records into ELF files that `perf report`
 * symbolises samples with.
 *
 * Invariants:
 *  - The file is named jit-PID.dump and mapped PROT_READ|PROT_EXEC once while open: perf
 *    record notices that mmap (an executable mapping, so it is recorded without --data)
 *    and that is how perf inject finds the file. The mapping is never read or written.
 *  - Timestamps are CLOCK_MONOTONIC nanoseconds, the clock of `perf record -k 1`, and
 *    never decrease through the file: perf inject orders loads against samples by them,
 *    which is also how an address reused by a later Store gets the later name (jitdump
 *    has no unload record).
 *  - One writer per process and directory, shared by every Engine that asks for it
 *    (reference counted): two writers appending to one jit-PID.dump would interleave
 *    records. The last release appends JIT_CODE_CLOSE; a later acquire appends to the
 *    same file without a second header.
 *  - Records are written whole, under the writer's lock, so a reader never sees a torn
 *    record from a racing Store.
 */
package dev.patchbay.internal.nativetools;

import dev.patchbay.internal.sys.Native;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/** A jit-PID.dump file in perf's jitdump format: records for code as it is mapped. */
public final class JitDump {
    /** "JiTD" as a little-endian u32. */
    public static final int MAGIC = 0x4A695444;
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 40;
    public static final int EM_X86_64 = 62;
    public static final int JIT_CODE_LOAD = 0;
    public static final int JIT_CODE_CLOSE = 3;
    /** Record prefix (id, total_size, timestamp) plus the load payload before the name. */
    public static final int LOAD_FIXED_SIZE = 16 + 4 + 4 + 8 * 4;

    private static final Map<Path, JitDump> OPEN = new HashMap<>();
    private static final System.Logger LOG = System.getLogger(JitDump.class.getName());

    private final Path file;
    private final int pid;
    private FileChannel out;
    private long marker;
    private int markerLength;
    private int users;
    private long codeIndex;
    private long lastTimestamp;

    private JitDump(Path file, int pid) {
        this.file = file;
        this.pid = pid;
    }

    /**
     * The process's writer for {@code directory}, opened (and the directory created) if no
     * Engine holds it; pair with {@link #release()}.
     *
     * @throws UncheckedIOException if the directory or the file cannot be written
     * @throws dev.patchbay.internal.sys.NativeCallException if the marker mapping is refused
     *         (a noexec mount, say); the message names the file
     */
    public static JitDump acquire(Path directory) {
        Path dir = directory.toAbsolutePath().normalize();
        synchronized (OPEN) {
            JitDump d = OPEN.get(dir);
            if (d == null) {
                int pid = Native.getpid();
                d = new JitDump(dir.resolve("jit-" + pid + ".dump"), pid);
                OPEN.put(dir, d);
            }
            synchronized (d) {
                if (d.users == 0) {
                    try {
                        d.open();
                    } catch (RuntimeException | Error e) {
                        OPEN.remove(dir);
                        throw e;
                    }
                }
                d.users++;
            }
            return d;
        }
    }

    /** The file's path. */
    public Path file() { return file; }

    private void open() {
        try {
            Files.createDirectories(file.getParent());
            boolean fresh = codeIndex == 0 && lastTimestamp == 0;
            // A file of this pid left by an earlier run with a recycled pid is replaced.
            out = fresh
                ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)
                : FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
            if (fresh) writeHeader();
        } catch (IOException e) {
            closeQuietly();
            throw new UncheckedIOException("cannot write the perf jitdump file " + file, e);
        }
        int fd = Native.openReadOnly(file.toString());
        try {
            markerLength = Native.pageSize();
            marker = Native.mmap(0, markerLength, Native.PROT_READ | Native.PROT_EXEC, Native.MAP_PRIVATE, fd, 0);
        } catch (RuntimeException e) {
            closeQuietly();
            throw new dev.patchbay.internal.sys.NativeCallException("perf jitdump " + file
                + ": mapping it PROT_EXEC (the marker perf record looks for) failed (a noexec mount?): " + e.getMessage(), 0);
        } finally {
            Native.close(fd);
        }
        LOG.log(System.Logger.Level.DEBUG, "perf jitdump: writing {0}", file);
    }

    private void closeQuietly() {
        if (out == null) return;
        try {
            out.close();
        } catch (IOException ignored) {
            // Already failing: the first error is the one reported.
        }
        out = null;
    }

    private long timestamp() {
        // Never backwards, whatever the clock read on another CPU.
        long t = Math.max(Native.clockMonotonicNanos(), lastTimestamp);
        lastTimestamp = t;
        return t;
    }

    private void writeHeader() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(MAGIC).putInt(VERSION).putInt(HEADER_SIZE).putInt(EM_X86_64).putInt(0).putInt(pid)
            .putLong(timestamp()).putLong(0);
        writeFully(b.flip());
    }

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) out.write(b);
    }

    /**
     * Appends one JIT_CODE_LOAD record: {@code code} was mapped at {@code address} under
     * {@code name}, by the calling thread.
     */
    public synchronized void codeLoaded(String name, long address, byte[] code) {
        if (out == null) throw new IllegalStateException("perf jitdump " + file + " is closed");
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        int size = LOAD_FIXED_SIZE + n.length + 1 + code.length;
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(JIT_CODE_LOAD).putInt(size).putLong(timestamp());
        b.putInt(pid).putInt(Native.gettid()).putLong(address).putLong(address).putLong(code.length).putLong(codeIndex++);
        b.put(n).put((byte) 0).put(code);
        try {
            writeFully(b.flip());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot append to the perf jitdump file " + file, e);
        }
    }

    /** Gives back what {@link #acquire} took; the last holder appends JIT_CODE_CLOSE and closes the file. */
    public void release() {
        synchronized (OPEN) {
            synchronized (this) {
                if (users == 0) return;
                if (--users > 0) return;
                try {
                    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
                    b.putInt(JIT_CODE_CLOSE).putInt(16).putLong(timestamp());
                    writeFully(b.flip());
                } catch (IOException e) {
                    LOG.log(System.Logger.Level.WARNING, "perf jitdump " + file + ": cannot append JIT_CODE_CLOSE", e);
                } finally {
                    closeQuietly();
                    Native.munmap(marker, markerLength);
                    marker = 0;
                }
            }
        }
    }
}
