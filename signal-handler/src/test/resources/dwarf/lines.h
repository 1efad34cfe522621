/* lines.h: an inline function, so the line table switches files inside a function. */
static inline unsigned mix(unsigned x) {
    x ^= x >> 7;
    return x * 2654435761u;
}
