package dev.patchbay.wasi;

/** A WasiMemory over a byte array, as a guest memory of that size. */
final class ArrayMemory implements WasiMemory {
    final byte[] bytes;

    ArrayMemory(int size) {
        bytes = new byte[size];
    }

    private void check(long addr, int len) {
        if (addr < 0 || len < 0 || addr + len > bytes.length) throw new WasiFault(addr, len, bytes.length);
    }

    @Override
    public void read(long addr, byte[] dst, int off, int len) {
        check(addr, len);
        System.arraycopy(bytes, (int) addr, dst, off, len);
    }

    @Override
    public void write(long addr, byte[] src, int off, int len) {
        check(addr, len);
        System.arraycopy(src, off, bytes, (int) addr, len);
    }

    long i64(int addr) {
        long v = 0;
        for (int i = 7; i >= 0; i--) v = v << 8 | (bytes[addr + i] & 0xff);
        return v;
    }

    String cstr(int addr) {
        int end = addr;
        while (bytes[end] != 0) end++;
        return new String(bytes, addr, end - addr, java.nio.charset.StandardCharsets.UTF_8);
    }
}
