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
    void argvIsAnArrayOfPointersToNulTerminatedStrings() {
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
    void environIsNameEqualsValue() {
        WasiPreview1 w = wasi(WasiConfig.builder().env(Map.of("HOME", "/nowhere")));
        assertEquals(0, w.call("environ_sizes_get", mem, new long[] {100, 104}));
        assertEquals(1, mem.readI32(100));
        assertEquals(0, w.call("environ_get", mem, new long[] {200, 300}));
        assertEquals("HOME=/nowhere", mem.cstr(mem.readI32(200)));
        assertThrows(IllegalArgumentException.class, () -> WasiConfig.builder().env("A=B", "c"));
        assertThrows(IllegalArgumentException.class, () -> WasiConfig.builder().args(List.of("a\0b")));
    }

    @Test
    void fdWriteGathersEveryIovecInOrderAndReportsTheCount() {
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
    void aBufferOutsideTheMemoryIsEfaultNotACrash() {
        WasiPreview1 w = wasi(WasiConfig.builder());
        iovec(100, 4090, 100);
        assertEquals(Errno.FAULT.code, w.call("fd_write", mem, new long[] {1, 100, 1, 500}));
        // A negative i32 pointer is a large unsigned offset, not a negative index.
        assertEquals(Errno.FAULT.code, w.call("args_sizes_get", mem, new long[] {-4, 0}));
        assertEquals(Errno.FAULT.code, w.call("random_get", mem, new long[] {4000, 0xffff_fff0L}));
    }

    @Test
    void stdioIsACharacterDeviceThatCannotSeek() {
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
    void aClosedDescriptorIsBadf() {
        WasiPreview1 w = wasi(WasiConfig.builder());
        assertEquals(0, w.call("fd_close", mem, new long[] {1}));
        iovec(100, 1000, 1);
        assertEquals(Errno.BADF.code, w.call("fd_write", mem, new long[] {1, 100, 1, 500}));
        assertEquals(Errno.BADF.code, w.call("fd_close", mem, new long[] {1}));
        assertEquals(Errno.BADF.code, w.call("fd_write", mem, new long[] {0, 100, 1, 500}), "stdin is not writable");
    }

    @Test
    void fdReadFillsFromStdinAndReportsEndOfFileAsZero() {
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
    void clocksMoveForwardAndUnknownClocksAreInval() {
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
    void randomGetFillsTheBuffer() {
        WasiPreview1 w = wasi(WasiConfig.builder());
        assertEquals(0, w.call("random_get", mem, new long[] {0, 4096}));
        int zeros = 0;
        for (byte b : mem.bytes) if (b == 0) zeros++;
        assertTrue(zeros < 100, zeros + " zero bytes of 4096");
    }

    @Test
    void procExitFlushesAndUnwindsWithTheCode() {
        WasiPreview1 w = wasi(WasiConfig.builder());
        WasiExit e = assertThrows(WasiExit.class, () -> w.call("proc_exit", mem, new long[] {7}));
        assertEquals(7, e.code());
        assertEquals(7, WasiExit.exitCode(new RuntimeException("trap", e)).getAsInt());
        assertFalse(WasiExit.exitCode(new RuntimeException("trap")).isPresent());
    }

    @Test
    void everyFunctionHasAWasmSignatureAndUnknownNamesAreRefused() {
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
}
