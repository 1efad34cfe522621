/*
 * Reads an instance's code bytes for tests (the RX view), through the runtime's own
 * accessors so tests never touch raw addresses they did not get from it.
 */
package dev.patchbay.signal;

import dev.patchbay.Instance;

final class TestCode {
    private TestCode() {}

    static byte[] read(Instance inst, int offset, int len) {
        return inst.codeBytes(offset, len);
    }
}
