/*
 * nested.clif in C: sum over i < n, j < n of (i * j) ^ j, in 64-bit wrap-around
 * arithmetic with unsigned compares; both loops test at the bottom, as the CLIF's do.
 */
#include "kernel.h"

KERNEL_SECTION(kernel_nested);

IN_KERNEL(kernel_nested) uint64_t kernel_nested(uint64_t n) {
    uint64_t sum = 0, i = 0;
    do {
        uint64_t j = 0;
        do {
            sum += (i * j) ^ j;
            j++;
        } while (j < n);
        i++;
    } while (i < n);
    return sum;
}
