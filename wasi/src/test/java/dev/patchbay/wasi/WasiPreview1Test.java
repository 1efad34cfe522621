package dev.patchbay.wasi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WasiPreview1Test {
    private final ArrayMemory mem = new ArrayMemory(4096);
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private WasiPreview1 wasi(WasiConfig.Builder b) {
        return new WasiPreview1(b.stdout(out).stderr(err).build());
    }

    private void iovec(int at, int buf, int len) {
        mem.writeLE(at, buf, 4);
        mem.writeLE(at + 4, len, 4);
    }

    @Test
    void argvIsAnArrayOfPointersToNulTerminatedStrings() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder().args(List.of("prog", "été", "")));
        assertEquals(0, w.call("args_sizes_get", mem, new long[] {100, 104}));
        assertEquals(3, mem.readI32(100));
        assertEquals(5 + 6 + 1, mem.readI32(104), "bytes with the NULs, UTF-8");
        assertEquals(0, w.call("args_get", mem, new long[] {200, 300}));
        assertEquals(300, mem.readI32(200));
        assertEquals("prog", mem.cstr(mem.readI32(200)));
        assertEquals("été", mem.cstr(mem.readI32(204)));
        assertEquals("", mem.cstr(mem.readI32(208)));
        assertEquals(300 + 12, mem.readI32(208) + 1, "the strings are packed");
    }

    @Test
    void environIsNameEqualsValue() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder().env(Map.of("HOME", "/nowhere")));
        assertEquals(0, w.call("environ_sizes_get", mem, new long[] {100, 104}));
        assertEquals(1, mem.readI32(100));
        assertEquals(0, w.call("environ_get", mem, new long[] {200, 300}));
        assertEquals("HOME=/nowhere", mem.cstr(mem.readI32(200)));
        assertThrows(IllegalArgumentException.class, () -> WasiConfig.builder().env("A=B", "c"));
        assertThrows(IllegalArgumentException.class, () -> WasiConfig.builder().args(List.of("a\0b")));
    }

    @Test
    void fdWriteGathersEveryIovecInOrderAndReportsTheCount() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder());
        mem.write(1000, "hello, ".getBytes(StandardCharsets.UTF_8), 0, 7);
        mem.write(2000, "world\n".getBytes(StandardCharsets.UTF_8), 0, 6);
        iovec(100, 1000, 7);
        iovec(108, 2000, 0);
        iovec(116, 2000, 6);
        assertEquals(0, w.call("fd_write", mem, new long[] {1, 100, 3, 500}));
        assertEquals("hello, world\n", out.toString(StandardCharsets.UTF_8));
        assertEquals(13, mem.readI32(500));
        assertEquals(0, w.call("fd_write", mem, new long[] {2, 116, 1, 500}));
        assertEquals("world\n", err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aBufferOutsideTheMemoryIsEfaultNotACrash() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder());
        iovec(100, 4090, 100);
        assertEquals(Errno.FAULT.code, w.call("fd_write", mem, new long[] {1, 100, 1, 500}));
        // A negative i32 pointer is a large unsigned offset, not a negative index.
        assertEquals(Errno.FAULT.code, w.call("args_sizes_get", mem, new long[] {-4, 0}));
        assertEquals(Errno.FAULT.code, w.call("random_get", mem, new long[] {4000, 0xffff_fff0L}));
    }

    @Test
    void stdioIsACharacterDeviceThatCannotSeek() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder());
        assertEquals(0, w.call("fd_fdstat_get", mem, new long[] {1, 64}));
        assertEquals(2, mem.bytes[64], "CHARACTER_DEVICE");
        long rights = mem.i64(72);
        assertTrue((rights & (1L << 6)) != 0, "fd_write right");
        assertEquals(0, rights & ((1L << 2) | (1L << 5)), "no seek or tell: isatty() holds");
        assertEquals(Errno.SPIPE.code, w.call("fd_seek", mem, new long[] {1, 0, 0, 64}));
        assertEquals(Errno.BADF.code, w.call("fd_seek", mem, new long[] {7, 0, 0, 64}));
        assertEquals(Errno.BADF.code, w.call("fd_prestat_get", mem, new long[] {3, 64}), "no preopened directories");
    }

    @Test
    void aClosedDescriptorIsBadf() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder());
        assertEquals(0, w.call("fd_close", mem, new long[] {1}));
        iovec(100, 1000, 1);
        assertEquals(Errno.BADF.code, w.call("fd_write", mem, new long[] {1, 100, 1, 500}));
        assertEquals(Errno.BADF.code, w.call("fd_close", mem, new long[] {1}));
        assertEquals(Errno.BADF.code, w.call("fd_write", mem, new long[] {0, 100, 1, 500}), "stdin is not writable");
    }

    @Test
    void fdReadFillsFromStdinAndReportsEndOfFileAsZero() throws Exception {
        WasiPreview1 w = new WasiPreview1(WasiConfig.builder().stdin(new ByteArrayInputStream("abc".getBytes(StandardCharsets.UTF_8))).build());
        iovec(100, 1000, 2);
        iovec(108, 1100, 10);
        assertEquals(0, w.call("fd_read", mem, new long[] {0, 100, 2, 500}));
        assertEquals(3, mem.readI32(500));
        assertEquals("ab", new String(mem.bytes, 1000, 2, StandardCharsets.UTF_8));
        assertEquals('c', mem.bytes[1100]);
        assertEquals(0, w.call("fd_read", mem, new long[] {0, 100, 2, 500}));
        assertEquals(0, mem.readI32(500));
    }

    @Test
    void clocksMoveForwardAndUnknownClocksAreInval() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder());
        assertEquals(0, w.call("clock_time_get", mem, new long[] {1, 1, 64}));
        long t0 = mem.i64(64);
        assertEquals(0, w.call("clock_time_get", mem, new long[] {1, 1, 64}));
        assertTrue(mem.i64(64) >= t0);
        assertEquals(0, w.call("clock_time_get", mem, new long[] {0, 1, 64}));
        long wall = mem.i64(64) / 1_000_000L;
        assertTrue(Math.abs(wall - System.currentTimeMillis()) < 60_000, "realtime is the epoch in nanoseconds");
        assertEquals(Errno.INVAL.code, w.call("clock_time_get", mem, new long[] {9, 1, 64}));
        assertEquals(0, w.call("clock_res_get", mem, new long[] {1, 64}));
        assertTrue(mem.i64(64) > 0);
    }

    @Test
    void randomGetFillsTheBuffer() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder());
        assertEquals(0, w.call("random_get", mem, new long[] {0, 4096}));
        int zeros = 0;
        for (byte b : mem.bytes) if (b == 0) zeros++;
        assertTrue(zeros < 100, zeros + " zero bytes of 4096");
    }

    @Test
    void procExitFlushesAndUnwindsWithTheCode() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder());
        WasiExit e = assertThrows(WasiExit.class, () -> w.call("proc_exit", mem, new long[] {7}));
        assertEquals(7, e.code());
        assertEquals(7, WasiExit.exitCode(new RuntimeException("trap", e)).getAsInt());
        assertFalse(WasiExit.exitCode(new RuntimeException("trap")).isPresent());
    }

    @Test
    void everyFunctionHasAWasmSignatureAndUnknownNamesAreRefused() throws Exception {
        for (WasiPreview1.Function f : WasiPreview1.functions()) {
            assertTrue(f.params().matches("[iI]*"), f.toString());
            assertEquals(!f.name().equals("proc_exit"), f.returnsErrno(), f.toString());
        }
        assertEquals("iIi", WasiPreview1.function("clock_time_get").orElseThrow().params());
        assertTrue(WasiPreview1.function("path_open").isEmpty());
        WasiPreview1 w = wasi(WasiConfig.builder());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.call("path_open", mem, new long[0]));
        assertTrue(e.getMessage().contains("path_open is not provided"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> w.call("fd_close", mem, new long[0]));
    }

    private void clockSubscription(int at, long userdata, int clock, long timeout, boolean absolute) {
        mem.writeLE(at, userdata, 8);
        mem.writeLE(at + 8, 0, 1);
        mem.writeLE(at + 16, clock, 4);
        mem.writeLE(at + 24, timeout, 8);
        mem.writeLE(at + 40, absolute ? 1 : 0, 2);
    }

    private long le(int at, int size) {
        byte[] b = new byte[size];
        mem.read(at, b, 0, size);
        long v = 0;
        for (int i = size - 1; i >= 0; i--) v = v << 8 | (b[i] & 0xff);
        return v;
    }

    @Test
    void pollOneoffSleepsUntilTheEarliestClockAndReportsOnlyTheClocksDue() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder());
        clockSubscription(0, 0x1111, 1, 30_000_000L, false);
        clockSubscription(48, 0x2222, 1, 60_000_000_000L, false);
        long t0 = System.nanoTime();
        assertEquals(0, w.call("poll_oneoff", mem, new long[] {0, 1024, 2, 2000}));
        long took = System.nanoTime() - t0;
        assertTrue(took >= 30_000_000L && took < 30_000_000_000L, "slept " + took + " ns for a 30 ms timeout");
        assertEquals(1, le(2000, 4), "only the 30 ms clock is due");
        assertEquals(0x1111, le(1024, 8), "the event carries its subscription's userdata");
        assertEquals(0, le(1024 + 8, 2), "no error");
        assertEquals(0, le(1024 + 10, 1), "a clock event");
    }

    @Test
    void pollOneoffTakesAnAbsoluteMonotonicDeadline() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder());
        assertEquals(0, w.call("clock_time_get", mem, new long[] {1, 1, 3000}));
        long now = le(3000, 8);
        clockSubscription(0, 7, 1, now + 20_000_000L, true);
        long t0 = System.nanoTime();
        assertEquals(0, w.call("poll_oneoff", mem, new long[] {0, 1024, 1, 2000}));
        assertTrue(System.nanoTime() - t0 >= 15_000_000L, "waited for the absolute deadline");
        assertEquals(1, le(2000, 4));
        assertEquals(7, le(1024, 8));
    }

    @Test
    void pollOneoffAnswersFdSubscriptionsAtOnceWithoutSleepingOnItsClocks() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder());
        clockSubscription(0, 1, 1, 60_000_000_000L, false);
        mem.writeLE(48, 2, 8);
        mem.writeLE(48 + 8, 2, 1); // fd_write
        mem.writeLE(48 + 16, 1, 4); // stdout
        mem.writeLE(96, 3, 8);
        mem.writeLE(96 + 8, 1, 1); // fd_read
        mem.writeLE(96 + 16, 9, 4); // no such descriptor
        long t0 = System.nanoTime();
        assertEquals(0, w.call("poll_oneoff", mem, new long[] {0, 1024, 3, 2000}));
        assertTrue(System.nanoTime() - t0 < 10_000_000_000L, "did not sleep on the 60 s clock");
        assertEquals(2, le(2000, 4), "the two fd events, not the clock");
        assertEquals(2, le(1024, 8));
        assertEquals(0, le(1024 + 8, 2), "stdout is writable");
        assertEquals(2, le(1024 + 10, 1));
        assertEquals(3, le(1024 + 32, 8));
        assertEquals(8, le(1024 + 32 + 8, 2), "EBADF for fd 9");
    }

    @Test
    void pollOneoffRefusesNoSubscriptionsAndUnsleepableClocks() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder());
        assertEquals(28, w.call("poll_oneoff", mem, new long[] {0, 1024, 0, 2000}), "EINVAL for zero subscriptions");
        clockSubscription(0, 5, 2, 1_000_000_000L, false); // process CPU time
        assertEquals(0, w.call("poll_oneoff", mem, new long[] {0, 1024, 1, 2000}));
        assertEquals(1, le(2000, 4));
        assertEquals(28, le(1024 + 8, 2), "an EINVAL event for a CPU-time clock, at once");
    }

    @Test
    void anInterruptedSleepUnwindsInsteadOfReturningAnErrno() throws Exception {
        WasiPreview1 w = wasi(WasiConfig.builder());
        clockSubscription(0, 1, 1, 60_000_000_000L, false);
        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedException.class, () -> w.call("poll_oneoff", mem, new long[] {0, 1024, 1, 2000}));
        } finally {
            Thread.interrupted();
        }
    }
}
