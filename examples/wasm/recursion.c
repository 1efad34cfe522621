/*
 * Recursive C: Ackermann, naive Fibonacci, the N-queens count, a recursive descent
 * parser over an arithmetic expression, and a deep (10,000-frame) recursion.
 * Built for Patchbay: clang --target=wasm32-wasi -O2 -o recursion.wasm recursion.c
 */
#include <stdio.h>
#include <stdlib.h>

static int ack(int m, int n) {
    if (m == 0) return n + 1;
    if (n == 0) return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int queens(int n, int row, unsigned cols, unsigned d1, unsigned d2) {
    if (row == n) return 1;
    int count = 0;
    for (int c = 0; c < n; c++) {
        unsigned a = 1u << c, b = 1u << (row + c), e = 1u << (row - c + n - 1);
        if ((cols & a) || (d1 & b) || (d2 & e)) continue;
        count += queens(n, row + 1, cols | a, d1 | b, d2 | e);
    }
    return count;
}

static const char *p;
static long expr(void);

static long atom(void) {
    if (*p == '(') {
        p++;
        long v = expr();
        p++;
        return v;
    }
    if (*p == '-') {
        p++;
        return -atom();
    }
    long v = 0;
    while (*p >= '0' && *p <= '9') v = v * 10 + (*p++ - '0');
    return v;
}

static long term(void) {
    long v = atom();
    while (*p == '*' || *p == '/') {
        char op = *p++;
        long r = atom();
        v = op == '*' ? v * r : v / r;
    }
    return v;
}

static long expr(void) {
    long v = term();
    while (*p == '+' || *p == '-') {
        char op = *p++;
        long r = term();
        v = op == '+' ? v + r : v - r;
    }
    return v;
}

static long depth(long n) { return n == 0 ? 0 : 1 + depth(n - 1) + (n & 1); }

int main(int argc, char **argv) {
    int scale = argc > 1 ? atoi(argv[1]) : 1;
    printf("ack(2, %d) = %d, ack(3, 5) = %d\n", 10 * scale, ack(2, 10 * scale), ack(3, 5));
    printf("fib(%d) = %ld\n", 24 + scale, fib(24 + scale));
    for (int n = 4; n <= 8 + scale; n++) printf("queens(%d) = %d\n", n, queens(n, 0, 0, 0, 0));
    p = "((12+7)*3-(40/(2+3)))*-2+(1+2*(3+4*(5+6)))";
    printf("expr = %ld\n", expr());
    printf("depth(10000) = %ld\n", depth(10000));
    return 0;
}
