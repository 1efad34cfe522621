/*
 * fib.clif in C: recursive Fibonacci, fib(n) = n < 2 ? n : fib(n-1) + fib(n-2), with a
 * signed compare and 64-bit wrap-around (unsigned adds), called through kernel(n) as the
 * CLIF's %kernel calls %fib. Same argument as the CLIF kernel (Kernels.java).
 */
#include "kernel.h"

KERNEL_SECTION(kernel_fib);

static IN_KERNEL(kernel_fib) uint64_t fib(int64_t n) {
    if (n < 2) return (uint64_t) n;
    return fib(n - 1) + fib(n - 2);
}

IN_KERNEL(kernel_fib) uint64_t kernel_fib(uint64_t n) {
    return fib((int64_t) n);
}
