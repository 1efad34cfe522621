/*
 * sieve.clif in C: a sieve of Eratosthenes over 8192 byte flags on the stack, n rounds;
 * each round sets every flag to 1, then for p in 2..8191 with flags[p] set counts p and,
 * if p*p < 8192, clears p*p, p*p+p, ... below 8192. Returns the total count (1028 per
 * round). gcc -O2 turns the setting loop into a call to memset; that is its choice.
 */
#include "kernel.h"

KERNEL_SECTION(kernel_sieve);

IN_KERNEL(kernel_sieve) uint64_t kernel_sieve(uint64_t n) {
    uint8_t flags[8192];
    uint64_t round = 0, total = 0;
    do {
        uint64_t k = 0;
        do {
            flags[k] = 1;
            k++;
        } while (k < 8192);
        uint64_t p = 2;
        do {
            if (flags[p]) {
                total++;
                uint64_t m = p * p;
                if (m < 8192) {
                    do {
                        flags[m] = 0;
                        m += p;
                    } while (m < 8192);
                }
            }
            p++;
        } while (p < 8192);
        round++;
    } while (round < n);
    return total;
}
