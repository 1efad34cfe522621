/*
 * lines.c: the program behind LineTableTest's expectations. Built four times, once per DWARF
 * version (see build.sh); each .wasm's line table was dumped with llvm-dwarfdump-14.
 */
#include "lines.h"

__attribute__((noinline)) unsigned sum(unsigned n) {
    unsigned total = 0;

    for (unsigned i = 0; i < n; i++) {
        total += mix(i);
    }
    return total;
}

__attribute__((export_name("run"))) unsigned run(unsigned n) {
    unsigned a = sum(n);
    unsigned b = sum(n / 2);
    return a - b;
}
