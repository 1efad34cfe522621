/*
 * Floating point a C program does: libm (sqrt, sin, cos, exp, log, pow, atan2, fmod), an
 * ASCII Mandelbrot, float and double accumulation, conversions and printf of doubles.
 * Built for Patchbay: clang --target=wasm32-wasi -O2 -o floats.wasm floats.c -lm
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    int size = argc > 1 ? atoi(argv[1]) : 24;
    double t = 0;
    for (int i = 1; i <= 1000; i++) {
        double x = i * 0.01;
        t += sqrt(x) + sin(x) * cos(x) + exp(-x) + log(x) + pow(x, 0.37) + atan2(x, 3.0) + fmod(x * 7.3, 2.1);
    }
    printf("libm sum %.6f\n", t);

    for (int row = 0; row < size / 2; row++) {
        char line[128];
        int w = size < 120 ? size : 120;
        for (int col = 0; col < w; col++) {
            double cr = -2.0 + 3.0 * col / w, ci = -1.2 + 2.4 * row / (size / 2);
            double zr = 0, zi = 0;
            int it = 0;
            while (zr * zr + zi * zi <= 4.0 && it < 50) {
                double nz = zr * zr - zi * zi + cr;
                zi = 2 * zr * zi + ci;
                zr = nz;
                it++;
            }
            line[col] = " .:-=+*#%@"[it % 10];
        }
        line[w] = 0;
        printf("|%s|\n", line);
    }

    float f = 0;
    double d = 0;
    for (int i = 0; i < 100000; i++) {
        f += 1.0f / (float)(i + 1);
        d += 1.0 / (double)(i + 1);
    }
    printf("harmonic float %.7g double %.15g\n", f, d);
    printf("conversions %d %lld %u %.3f %.3f\n", (int)-3.99, (long long)1e15, (unsigned)3e9, (double)(float)0.1, rint(2.5));
    printf("special %f %f %d %d\n", copysign(0.0, -1.0), fabs(-2.25), isnan(sqrt(-1.0)) != 0, isinf(1.0 / 0.0) != 0);
    return 0;
}
