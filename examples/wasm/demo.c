/*
 * demo.c: the program `./patchbay demo` runs, compiled to wasm32-wasi (demo.wasm beside it).
 *
 * A small batch job with the shapes real programs have: a seeded data set in malloc'd
 * memory, qsort with a callback, float statistics, a sieve, a hash table of generated
 * words, and an integer loop (Collatz chains) hot enough to profile. main prints a report;
 * the exports let a host call the parts directly:
 *   work(rounds)       every phase `rounds` times, returning a checksum (the demo times it)
 *   count_steps(n)     the Collatz steps of 1..n: the number of times the loop in
 *                      collatz_len runs, which the demo's logpoint counts exactly
 * `demo.wasm --sleep S` sleeps S seconds in the host (WASI poll_oneoff), for the demo's
 * interrupt of a blocked hostcall.
 *
 * Build (Debian 12: apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32):
 *   clang --target=wasm32-wasi -O2 -g -o demo.wasm demo.c
 * Native reference (demo.expected): gcc -O2 -o demo demo.c -lm && ./demo
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __wasm__
#define EXPORT(name) __attribute__((export_name(name)))
#else
#define EXPORT(name)
#endif

static uint64_t rng_state;

static void seed(uint64_t s) { rng_state = s; }

static uint32_t next_random(void) {
    rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (uint32_t)(rng_state >> 33);
}

/* The steps of one Collatz chain: the demo's logpoint counts the loop's runs. */
__attribute__((noinline)) uint32_t collatz_len(uint64_t x) {
    uint32_t steps = 0;
    while (x != 1) {
        x = (x & 1) ? 3 * x + 1 : x >> 1; /* demo: logpoint */
        steps++;
    }
    return steps;
}

EXPORT("count_steps") uint64_t count_steps(uint32_t n) {
    uint64_t total = 0;
    for (uint32_t i = 1; i <= n; i++) total += collatz_len(i);
    return total;
}

__attribute__((noinline)) uint32_t count_primes(uint32_t n) {
    uint8_t *composite = calloc(n + 1, 1);
    uint32_t count = 0;
    for (uint32_t i = 2; i <= n; i++) {
        if (composite[i]) continue;
        count++;
        for (uint64_t j = (uint64_t)i * i; j <= n; j += i) composite[j] = 1;
    }
    free(composite);
    return count;
}

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

struct stats {
    double mean, stddev, median;
};

__attribute__((noinline)) struct stats sample_stats(uint32_t n) {
    double *xs = malloc(n * sizeof *xs);
    for (uint32_t i = 0; i < n; i++) {
        /* A sum of three uniforms: roughly normal around 1.5. */
        xs[i] = (next_random() + (double)next_random() + next_random()) / 4294967296.0 * 2.0;
    }
    qsort(xs, n, sizeof *xs, compare_doubles);
    double sum = 0, sq = 0;
    for (uint32_t i = 0; i < n; i++) sum += xs[i];
    struct stats s = {sum / n, 0, xs[n / 2]};
    for (uint32_t i = 0; i < n; i++) sq += (xs[i] - s.mean) * (xs[i] - s.mean);
    s.stddev = sqrt(sq / n);
    free(xs);
    return s;
}

static uint32_t fnv1a(const char *s) {
    uint32_t h = 2166136261u;
    while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

struct entry {
    char *word;
    uint32_t count;
};

/* Counts n generated words in an open-addressing table; returns the number of distinct ones
 * and the most frequent word's count through *top. */
__attribute__((noinline)) uint32_t distinct_words(uint32_t n, uint32_t *top) {
    uint32_t cap = 1024, used = 0;
    struct entry *table = calloc(cap, sizeof *table);
    *top = 0;
    for (uint32_t i = 0; i < n; i++) {
        char word[8];
        uint32_t len = 2 + next_random() % 3;
        for (uint32_t k = 0; k < len; k++) word[k] = "etaoinshr"[next_random() % 9];
        word[len] = 0;
        if (2 * (used + 1) > cap) {
            struct entry *old = table;
            uint32_t old_cap = cap;
            cap *= 2;
            table = calloc(cap, sizeof *table);
            for (uint32_t k = 0; k < old_cap; k++) {
                if (!old[k].word) continue;
                uint32_t at = fnv1a(old[k].word) & (cap - 1);
                while (table[at].word) at = (at + 1) & (cap - 1);
                table[at] = old[k];
            }
            free(old);
        }
        uint32_t at = fnv1a(word) & (cap - 1);
        while (table[at].word && strcmp(table[at].word, word) != 0) at = (at + 1) & (cap - 1);
        if (!table[at].word) {
            table[at].word = strdup(word);
            used++;
        }
        if (++table[at].count > *top) *top = table[at].count;
    }
    for (uint32_t k = 0; k < cap; k++) free(table[k].word);
    free(table);
    return used;
}

EXPORT("work") uint64_t work(uint32_t rounds) {
    uint64_t sum = 0;
    for (uint32_t r = 0; r < rounds; r++) {
        seed(r + 1);
        uint32_t top;
        struct stats s = sample_stats(20000);
        sum = sum * 31 + count_primes(200000);
        sum = sum * 31 + count_steps(30000);
        sum = sum * 31 + distinct_words(20000, &top) + top;
        sum = sum * 31 + (uint64_t)(s.mean * 1e6) + (uint64_t)(s.stddev * 1e6);
    }
    return sum;
}

int main(int argc, char **argv) {
    if (argc > 1 && strcmp(argv[1], "--sleep") == 0) {
        unsigned s = argc > 2 ? (unsigned)atoi(argv[2]) : 60;
        printf("sleeping %u s\n", s);
        fflush(stdout);
        unsigned left = sleep(s);
        printf("woke up, %u s left\n", left);
        return 0;
    }
    int rounds = argc > 1 ? atoi(argv[1]) : 3;
    if (rounds < 1) {
        fprintf(stderr, "usage: demo [ROUNDS | --sleep SECONDS]\n");
        return 2;
    }
    seed(1);
    struct stats s = sample_stats(20000);
    printf("20000 samples: mean %.6f, stddev %.6f, median %.6f\n", s.mean, s.stddev, s.median);
    printf("primes below 200000: %u\n", count_primes(200000));
    printf("collatz steps of 1..30000: %llu\n", (unsigned long long)count_steps(30000));
    uint32_t top, distinct = distinct_words(20000, &top);
    printf("20000 words: %u distinct, the commonest seen %u times\n", distinct, top);
    printf("work(%d) checksum: %016llx\n", rounds, (unsigned long long)work((uint32_t)rounds));
    return 0;
}
