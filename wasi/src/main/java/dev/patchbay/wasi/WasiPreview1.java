/*
 * wasi_snapshot_preview1, the part a C program built with wasi-libc for a command needs:
 * argv and environ, clocks, random bytes, the three stdio descriptors, and proc_exit.
 *
 * Problems it solves:
 * - Every argument is a guest pointer or a guest integer. Pointers are unsigned 32-bit
 *   offsets into the caller's memory; the hostcall receives them as longs holding the i32's
 *   bits sign-extended, so each is masked before use. A pointer outside the memory is an
 *   EFAULT answer, not a trap (WasiMemory checks every access).
 * - The guest sees a world of three descriptors and nothing else: no preopened directory,
 *   so no path can reach a host file. fd_prestat_get answers EBADF at fd 3, which is how
 *   wasi-libc's startup learns that there are none.
 * - proc_exit must not return: it throws WasiExit, which unwinds the guest.
 * - poll_oneoff is how wasi-libc sleeps (sleep, nanosleep, clock_nanosleep). The sleep is
 *   Thread.sleep on the owner thread, so Store.interrupt() of a guest blocked in it wakes
 *   the thread and the InterruptedException unwinds the guest as an interrupt Trap (the
 *   runtime's hostcall protocol); it is thrown on, never turned into an errno.
 *
 * Invariants:
 * - FUNCTIONS is the whole interface: a name not in it is not provided, so linking fails
 *   naming it rather than calling something that pretends to work.
 * - Each function's params string is its Wasm signature ('i' = i32, 'I' = i64), in order;
 *   every function but proc_exit returns an i32 errno.
 * - Output written by fd_write is flushed before fd_write returns, so a guest killed right
 *   after (a trap, an interrupt) has shown everything it wrote.
 */
package dev.patchbay.wasi;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * One guest's WASI preview 1 state (its descriptors and configuration) and the functions
 * of {@code wasi_snapshot_preview1} it provides. Not thread-safe: a guest calls it from
 * its Store's owner thread.
 */
public final class WasiPreview1 {
    /** The import module name WASI preview 1 functions are imported from. */
    public static final String MODULE = "wasi_snapshot_preview1";

    /**
     * A function this implementation provides.
     *
     * @param name its import name
     * @param params its Wasm parameter types in order, {@code i} for i32 and {@code I} for i64
     * @param returnsErrno whether it returns an i32 errno (every function but proc_exit)
     */
    public record Function(String name, String params, boolean returnsErrno) {}

    @FunctionalInterface
    private interface Impl {
        int call(WasiPreview1 w, WasiMemory m, long[] a) throws IOException, InterruptedException;
    }

    private record Entry(Function fn, Impl impl) {}

    private static final int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_PROCESS_CPUTIME = 2, CLOCK_THREAD_CPUTIME = 3;
    private static final int FILETYPE_CHARACTER_DEVICE = 2;
    private static final long RIGHT_FD_READ = 1L << 1, RIGHT_FD_WRITE = 1L << 6, RIGHT_POLL_FD_READWRITE = 1L << 27;
    /** The largest slice of guest memory copied through the heap at once. */
    private static final int CHUNK = 64 << 10;

    private static final Map<String, Entry> FUNCTIONS = new LinkedHashMap<>();

    static {
        def("args_get", "ii", (w, m, a) -> w.strings(m, w.config.args, ptr(a[0]), ptr(a[1])));
        def("args_sizes_get", "ii", (w, m, a) -> w.sizes(m, w.config.args, ptr(a[0]), ptr(a[1])));
        def("environ_get", "ii", (w, m, a) -> w.strings(m, w.config.env, ptr(a[0]), ptr(a[1])));
        def("environ_sizes_get", "ii", (w, m, a) -> w.sizes(m, w.config.env, ptr(a[0]), ptr(a[1])));
        def("clock_res_get", "ii", (w, m, a) -> w.clockRes((int) a[0], m, ptr(a[1])));
        def("clock_time_get", "iIi", (w, m, a) -> w.clockTime((int) a[0], m, ptr(a[2])));
        def("fd_close", "i", (w, m, a) -> w.close((int) a[0]));
        def("fd_fdstat_get", "ii", (w, m, a) -> w.fdstat((int) a[0], m, ptr(a[1])));
        def("fd_fdstat_set_flags", "ii", (w, m, a) -> w.open((int) a[0]) ? Errno.NOTSUP.code : Errno.BADF.code);
        def("fd_prestat_get", "ii", (w, m, a) -> Errno.BADF.code);
        def("fd_prestat_dir_name", "iii", (w, m, a) -> Errno.BADF.code);
        def("fd_read", "iiii", (w, m, a) -> w.read((int) a[0], m, ptr(a[1]), ptr(a[2]), ptr(a[3])));
        def("fd_write", "iiii", (w, m, a) -> w.write((int) a[0], m, ptr(a[1]), ptr(a[2]), ptr(a[3])));
        def("fd_seek", "iIii", (w, m, a) -> w.open((int) a[0]) ? Errno.SPIPE.code : Errno.BADF.code);
        def("poll_oneoff", "iiii", (w, m, a) -> w.poll(m, ptr(a[0]), ptr(a[1]), ptr(a[2]), ptr(a[3])));
        def("random_get", "ii", (w, m, a) -> w.random(m, ptr(a[0]), ptr(a[1])));
        def("sched_yield", "", (w, m, a) -> {
            Thread.yield();
            return Errno.SUCCESS.code;
        });
        FUNCTIONS.put("proc_exit", new Entry(new Function("proc_exit", "i", false), (w, m, a) -> {
            w.flush();
            throw new WasiExit((int) a[0]);
        }));
    }

    private static void def(String name, String params, Impl impl) {
        FUNCTIONS.put(name, new Entry(new Function(name, params, true), impl));
    }

    private static long ptr(long bits) {
        return bits & 0xffff_ffffL;
    }

    private final WasiConfig config;
    private final boolean[] closed = new boolean[3];
    private SecureRandom random;

    /**
     * A guest's WASI state.
     *
     * @param config its arguments, environment and streams
     */
    public WasiPreview1(WasiConfig config) {
        this.config = config;
    }

    /**
     * Every function provided, in a stable order.
     *
     * @return the functions
     */
    public static List<Function> functions() {
        return FUNCTIONS.values().stream().map(Entry::fn).toList();
    }

    /**
     * The function of a name, if provided.
     *
     * @param name an import name of {@link #MODULE}
     * @return the function, or empty if this implementation does not provide it
     */
    public static Optional<Function> function(String name) {
        Entry e = FUNCTIONS.get(name);
        return e == null ? Optional.empty() : Optional.of(e.fn);
    }

    /**
     * Calls a function.
     *
     * @param name the function's name
     * @param memory the calling guest's memory
     * @param args its arguments, one long each holding the Wasm value's bits
     * @return the errno (0 on success), or 0 for a function that returns nothing
     * @throws IllegalArgumentException if no such function is provided or the argument
     *         count is wrong
     * @throws WasiExit from proc_exit
     * @throws InterruptedException if the thread is interrupted while poll_oneoff sleeps
     *     (the guest is being interrupted: let it unwind)
     */
    public long call(String name, WasiMemory memory, long[] args) throws InterruptedException {
        Entry e = FUNCTIONS.get(name);
        if (e == null) throw new IllegalArgumentException(MODULE + "::" + name + " is not provided (provided: " + FUNCTIONS.keySet() + ")");
        if (args.length != e.fn.params.length()) {
            throw new IllegalArgumentException(MODULE + "::" + name + " takes " + e.fn.params.length() + " arguments, got " + args.length);
        }
        try {
            return e.impl.call(this, memory, args);
        } catch (WasiFault f) {
            return Errno.FAULT.code;
        } catch (IOException io) {
            return Errno.IO.code;
        }
    }

    /** Flushes the guest's stdout and stderr, ignoring errors (the guest is ending). */
    public void flush() {
        try {
            config.stdout.flush();
        } catch (IOException ignored) {
            // Nothing to tell a guest that is leaving.
        }
        try {
            config.stderr.flush();
        } catch (IOException ignored) {
            // As above.
        }
    }

    private boolean open(int fd) {
        return fd >= 0 && fd < 3 && !closed[fd];
    }

    private int close(int fd) {
        if (!open(fd)) return Errno.BADF.code;
        closed[fd] = true; // The host's stream stays open: it is the embedder's.
        return Errno.SUCCESS.code;
    }

    private int sizes(WasiMemory m, List<byte[]> strings, long countPtr, long bytesPtr) {
        long bytes = 0;
        for (byte[] s : strings) bytes += s.length + 1;
        m.writeLE(countPtr, strings.size(), 4);
        m.writeLE(bytesPtr, bytes, 4);
        return Errno.SUCCESS.code;
    }

    /** Writes argv- or environ-style: an array of pointers, and the NUL-terminated strings they point to. */
    private int strings(WasiMemory m, List<byte[]> strings, long ptrs, long buf) {
        long at = buf;
        for (int i = 0; i < strings.size(); i++) {
            byte[] s = strings.get(i);
            m.writeLE(ptrs + 4L * i, at, 4);
            m.write(at, s, 0, s.length);
            m.writeLE(at + s.length, 0, 1);
            at += s.length + 1;
        }
        return Errno.SUCCESS.code;
    }

    private int clockRes(int id, WasiMemory m, long out) {
        long res = switch (id) {
            case CLOCK_REALTIME -> 1_000L; // Instant.now() resolves microseconds on Linux.
            case CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME, CLOCK_THREAD_CPUTIME -> 1L;
            default -> -1L;
        };
        if (res < 0) return Errno.INVAL.code;
        m.writeLE(out, res, 8);
        return Errno.SUCCESS.code;
    }

    private int clockTime(int id, WasiMemory m, long out) {
        long t;
        switch (id) {
            case CLOCK_REALTIME -> {
                Instant now = Instant.now();
                t = now.getEpochSecond() * 1_000_000_000L + now.getNano();
            }
            case CLOCK_MONOTONIC -> t = System.nanoTime();
            // The guest runs on its owner thread, so that thread's CPU time is the guest's.
            case CLOCK_PROCESS_CPUTIME, CLOCK_THREAD_CPUTIME -> t = ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            default -> {
                return Errno.INVAL.code;
            }
        }
        m.writeLE(out, t, 8);
        return Errno.SUCCESS.code;
    }

    private int fdstat(int fd, WasiMemory m, long out) {
        if (!open(fd)) return Errno.BADF.code;
        // struct fdstat { u8 filetype; u16 flags @2; u64 rights_base @8; u64 rights_inheriting @16 }:
        // a character device without seek or tell rights, which wasi-libc's isatty() reads as a terminal.
        byte[] st = new byte[24];
        st[0] = FILETYPE_CHARACTER_DEVICE;
        long rights = (fd == 0 ? RIGHT_FD_READ : RIGHT_FD_WRITE) | RIGHT_POLL_FD_READWRITE;
        for (int i = 0; i < 8; i++) st[8 + i] = (byte) (rights >>> (8 * i));
        m.write(out, st, 0, st.length);
        return Errno.SUCCESS.code;
    }

    private int write(int fd, WasiMemory m, long iovs, long count, long nwrittenPtr) throws IOException {
        if (!open(fd) || fd == 0) return Errno.BADF.code;
        OutputStream out = fd == 1 ? config.stdout : config.stderr;
        long total = 0;
        byte[] chunk = new byte[0];
        for (long i = 0; i < count; i++) {
            long buf = ptr(m.readI32(iovs + 8 * i));
            long len = ptr(m.readI32(iovs + 8 * i + 4));
            for (long done = 0; done < len; ) {
                int n = (int) Math.min(CHUNK, len - done);
                if (chunk.length < n) chunk = new byte[n];
                m.read(buf + done, chunk, 0, n);
                out.write(chunk, 0, n);
                done += n;
            }
            total += len;
        }
        out.flush();
        m.writeLE(nwrittenPtr, total, 4);
        return Errno.SUCCESS.code;
    }

    private int read(int fd, WasiMemory m, long iovs, long count, long nreadPtr) throws IOException {
        if (!open(fd) || fd != 0) return Errno.BADF.code;
        InputStream in = config.stdin;
        long total = 0;
        // One blocking read at most: a short read ends the call, as read(2) on a terminal does.
        for (long i = 0; i < count; i++) {
            long buf = ptr(m.readI32(iovs + 8 * i));
            long len = ptr(m.readI32(iovs + 8 * i + 4));
            if (len == 0) continue;
            byte[] chunk = new byte[(int) Math.min(CHUNK, len)];
            int n = in.read(chunk, 0, chunk.length);
            if (n <= 0) break;
            m.write(buf, chunk, 0, n);
            total += n;
            if (n < len || in.available() <= 0) break;
        }
        m.writeLE(nreadPtr, total, 4);
        return Errno.SUCCESS.code;
    }

    // struct subscription (48 bytes): u64 userdata @0; u8 tag @8 (0 clock, 1 fd_read,
    // 2 fd_write); clock: u32 id @16, u64 timeout @24, u64 precision @32, u16 flags @40
    // (bit 0: timeout is an absolute time); fd: u32 fd @16.
    // struct event (32 bytes): u64 userdata @0; u16 error @8; u8 type @10;
    // fd_readwrite: u64 nbytes @16, u16 flags @24.
    private static final int SUBSCRIPTION = 48, EVENT = 32;
    private static final int EVENT_CLOCK = 0, EVENT_FD_READ = 1, EVENT_FD_WRITE = 2;
    /** More subscriptions than any libc asks for at once; beyond it the call is EINVAL. */
    private static final long MAX_SUBSCRIPTIONS = 4096;

    /**
     * poll_oneoff: an fd subscription is ready at once (the three stdio streams never make a
     * caller wait here: a read then blocks in fd_read, as on a terminal), so only a poll of
     * clocks alone sleeps, until the earliest deadline, and reports every clock due by then.
     */
    private int poll(WasiMemory m, long in, long out, long count, long neventsPtr) throws InterruptedException {
        if (count == 0 || count > MAX_SUBSCRIPTIONS) return Errno.INVAL.code;
        byte[] sub = new byte[SUBSCRIPTION];
        long[] deadline = new long[(int) count];
        long now = System.nanoTime(), earliest = Long.MAX_VALUE;
        boolean immediate = false;
        for (int i = 0; i < count; i++) {
            m.read(in + (long) SUBSCRIPTION * i, sub, 0, SUBSCRIPTION);
            int tag = sub[8] & 0xff;
            deadline[i] = Long.MIN_VALUE; // due now: an fd event, or an error event
            if (tag == EVENT_CLOCK) {
                long d = clockDeadline(le(sub, 16, 4), le(sub, 24, 8), (le(sub, 40, 2) & 1) != 0, now);
                if (d != Long.MIN_VALUE) {
                    deadline[i] = d;
                    if (earliest == Long.MAX_VALUE || d - earliest < 0) earliest = d;
                    continue;
                }
            }
            immediate = true;
        }
        if (!immediate) {
            for (long left = earliest - System.nanoTime(); left > 0; left = earliest - System.nanoTime()) {
                Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
            }
        }
        long due = immediate ? now : System.nanoTime();
        byte[] ev = new byte[EVENT];
        int n = 0;
        for (int i = 0; i < count; i++) {
            if (deadline[i] != Long.MIN_VALUE && deadline[i] - due > 0) continue;
            m.read(in + (long) SUBSCRIPTION * i, sub, 0, SUBSCRIPTION);
            java.util.Arrays.fill(ev, (byte) 0);
            System.arraycopy(sub, 0, ev, 0, 8);
            int tag = sub[8] & 0xff;
            ev[10] = (byte) tag;
            int error = Errno.SUCCESS.code;
            if (tag == EVENT_CLOCK) {
                if (deadline[i] == Long.MIN_VALUE) error = Errno.INVAL.code;
            } else if (tag == EVENT_FD_READ || tag == EVENT_FD_WRITE) {
                int fd = (int) le(sub, 16, 4);
                if (!open(fd) || (fd == 0) != (tag == EVENT_FD_READ)) error = Errno.BADF.code;
            } else {
                ev[10] = 0;
                error = Errno.INVAL.code;
            }
            ev[8] = (byte) error;
            ev[9] = (byte) (error >>> 8);
            m.write(out + (long) EVENT * n++, ev, 0, EVENT);
        }
        m.writeLE(neventsPtr, n, 4);
        return Errno.SUCCESS.code;
    }

    /** Beyond this a timeout is as good as never (146 years); it keeps deadline arithmetic in range. */
    private static final long NEVER = 1L << 62;

    /**
     * A clock subscription's deadline on System.nanoTime()'s scale, or MIN_VALUE for a clock
     * that cannot be slept towards (CPU time, or no such clock). Timeouts are u64: one past
     * the long range is never.
     */
    private static long clockDeadline(long id, long timeout, boolean absolute, long now) {
        if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC) return Long.MIN_VALUE;
        long relative;
        if (timeout < 0) relative = NEVER;
        else if (!absolute) relative = timeout;
        else if (id == CLOCK_MONOTONIC) relative = timeout - now; // clock_time_get's monotonic clock is System.nanoTime()
        else {
            Instant t = Instant.now();
            relative = timeout - (t.getEpochSecond() * 1_000_000_000L + t.getNano());
        }
        return now + Math.min(Math.max(relative, 0), NEVER);
    }

    private static long le(byte[] b, int at, int size) {
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | (b[at + i] & 0xff);
        return v;
    }

    private int random(WasiMemory m, long buf, long len) {
        if (random == null) random = new SecureRandom();
        byte[] chunk = new byte[(int) Math.min(CHUNK, len)];
        for (long done = 0; done < len; ) {
            int n = (int) Math.min(chunk.length, len - done);
            random.nextBytes(chunk);
            m.write(buf + done, chunk, 0, n);
            done += n;
        }
        return Errno.SUCCESS.code;
    }
}
