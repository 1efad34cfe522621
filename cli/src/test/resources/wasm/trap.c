/*
 * trap.c: a WASI command that traps two calls deep, for CliWasmBreakTest's backtrace with
 * C lines. Build (from this directory):
 *   clang --target=wasm32-wasi -O2 -g -fdebug-prefix-map=$PWD=/src -o trap.wasm trap.c
 */
#include <stdio.h>

__attribute__((noinline)) int check(int n) {
    if (n > 2) __builtin_trap();
    return n * 2;
}

__attribute__((noinline)) int walk(int n) {
    int total = 0;
    for (int i = 0; i <= n; i++) total += check(i);
    return total;
}

int main(int argc, char **argv) {
    printf("walking\n");
    fflush(stdout);
    return walk(argc + 3);
}
