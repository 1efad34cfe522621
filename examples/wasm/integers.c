/*
 * Integer work a C program does: a prime sieve, gcd/lcm, bit tricks, qsort, 64-bit
 * multiply-with-overflow and division by a runtime value. Prints one line per result.
 * Built for Patchbay: clang --target=wasm32-wasi -O2 -o integers.wasm integers.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_u32(const void *a, const void *b) {
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static uint64_t gcd(uint64_t a, uint64_t b) {
    while (b) {
        uint64_t t = a % b;
        a = b;
        b = t;
    }
    return a;
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100000;
    char *composite = calloc((size_t)n + 1, 1);
    int primes = 0;
    uint64_t sum = 0;
    for (int p = 2; p <= n; p++) {
        if (composite[p]) continue;
        primes++;
        sum += (uint64_t)p;
        for (long long m = (long long)p * p; m <= n; m += p) composite[m] = 1;
    }
    printf("primes up to %d: %d, sum %llu\n", n, primes, (unsigned long long)sum);
    free(composite);

    uint64_t g = 0, l = 1;
    for (uint64_t k = 1; k <= 20; k++) {
        g = gcd(g, k * 7919);
        l = l / gcd(l, k) * k;
    }
    printf("gcd %llu, lcm(1..20) %llu\n", (unsigned long long)g, (unsigned long long)l);

    uint32_t x = 0x12345678u;
    int pop = __builtin_popcount(x), lz = __builtin_clz(x), tz = __builtin_ctz(x << 3);
    uint32_t rot = (x << 13) | (x >> 19), rev = __builtin_bswap32(x);
    printf("popcount %d clz %d ctz %d rotl13 %08x bswap %08x\n", pop, lz, tz, rot, rev);

    enum { COUNT = 2000 };
    uint32_t *v = malloc(COUNT * sizeof *v);
    uint32_t s = 2463534242u;
    for (int i = 0; i < COUNT; i++) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        v[i] = s;
    }
    qsort(v, COUNT, sizeof *v, cmp_u32);
    uint64_t check = 0;
    for (int i = 0; i < COUNT; i++) check = check * 31 + v[i];
    printf("sorted: first %u last %u check %llu\n", v[0], v[COUNT - 1], (unsigned long long)check);
    free(v);

    int64_t a = INT64_MAX - 12345, b = 98765;
    int64_t prod;
    int over = __builtin_mul_overflow(a, b, &prod);
    int64_t q = a / (b - (int64_t)argc), r = a % (b - (int64_t)argc);
    printf("overflow %d, %lld / %lld = %lld rem %lld\n", over, (long long)a, (long long)(b - argc), (long long)q, (long long)r);
    char buf[64];
    snprintf(buf, sizeof buf, "%x-%o-%lld", 48879, 511, (long long)-9000000000LL);
    printf("formatted %s (%zu chars)\n", buf, strlen(buf));
    return 0;
}
