/*
 * bubble.clif in C: n rounds of filling 256 int32 values on the stack from a 64-bit LCG
 * (a[k] = lcg >> 33, the state carried across rounds) and bubble-sorting them with a
 * signed compare and a branch-free swap (the CLIF's two selects); the checksum adds
 * a[0] + 3 * a[128] + 7 * a[255], sign-extended, in 64-bit wrap-around arithmetic.
 */
#include "kernel.h"

KERNEL_SECTION(kernel_bubble);

IN_KERNEL(kernel_bubble) uint64_t kernel_bubble(uint64_t n) {
    int32_t a[256];
    uint64_t round = 0, sum = 0, lcg = 12345;
    do {
        uint64_t k = 0;
        do {
            lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
            a[k] = (int32_t) (uint32_t) (lcg >> 33);
            k++;
        } while (k < 256);
        uint64_t end = 255;
        do {
            uint64_t j = 0;
            do {
                int32_t x = a[j], y = a[j + 1];
                int gt = x > y;
                a[j] = gt ? y : x;
                a[j + 1] = gt ? x : y;
                j++;
            } while (j < end);
            end--;
        } while (end != 0);
        sum += (uint64_t) (int64_t) a[0] + (uint64_t) (int64_t) a[128] * 3 + (uint64_t) (int64_t) a[255] * 7;
        round++;
    } while (round < n);
    return sum;
}
