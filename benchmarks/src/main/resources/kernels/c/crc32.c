/*
 * crc32.clif in C: bitwise CRC-32 (polynomial 0xEDB88320) over n bytes, each the top
 * byte of a 64-bit LCG (seed 7); 32-bit CRC state, eight branch-free bit steps per byte,
 * returns the inverted CRC zero-extended to 64 bits.
 */
#include "kernel.h"

KERNEL_SECTION(kernel_crc32);

IN_KERNEL(kernel_crc32) uint64_t kernel_crc32(uint64_t n) {
    uint64_t i = 0, lcg = 7;
    uint32_t crc = 0xFFFFFFFFu;
    do {
        lcg = lcg * 6364136223846793005ULL + 1442695040888963407ULL;
        crc ^= (uint32_t) (lcg >> 56);
        uint64_t b = 0;
        do {
            crc = (crc >> 1) ^ (0xEDB88320u & -(crc & 1u));
            b++;
        } while (b < 8);
        i++;
    } while (i < n);
    return (uint64_t) ~crc;
}
