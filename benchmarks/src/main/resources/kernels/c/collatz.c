/*
 * collatz.clif in C: for every start s in 1..n, count the steps of x -> x odd ? 3x + 1 :
 * x >> 1 until x == 1 (64-bit wrap-around); keep the largest count and its first start
 * (unsigned compare, updated branch-free as the CLIF's selects); return steps << 32 | start.
 */
#include "kernel.h"

KERNEL_SECTION(kernel_collatz);

IN_KERNEL(kernel_collatz) uint64_t kernel_collatz(uint64_t n) {
    uint64_t s = 1, best = 0, bestStart = 0;
    do {
        uint64_t x = s, steps = 0;
        while (x != 1) {
            x = (x & 1) ? 3 * x + 1 : x >> 1;
            steps++;
        }
        int more = steps > best;
        best = more ? steps : best;
        bestStart = more ? s : bestStart;
        s++;
    } while (s <= n);
    return (best << 32) | bestStart;
}
