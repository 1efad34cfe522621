/*
 * A malloc-heavy C program: a chained hash table of strings that grows by rehashing, a
 * linked list built and reversed, realloc'd buffers, and frees of everything.
 * Built for Patchbay: clang --target=wasm32-wasi -O2 -o allocs.wasm allocs.c
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct entry { char *key; int value; struct entry *next; };
struct table { struct entry **slots; size_t size, count; };

static uint32_t hash(const char *s) {
    uint32_t h = 2166136261u;
    while (*s) h = (h ^ (uint8_t)*s++) * 16777619u;
    return h;
}

static void put(struct table *t, const char *key, int value) {
    if (t->count * 4 >= t->size * 3) {
        size_t n = t->size ? t->size * 2 : 8;
        struct entry **slots = calloc(n, sizeof *slots);
        for (size_t i = 0; i < t->size; i++) {
            for (struct entry *e = t->slots[i], *next; e; e = next) {
                next = e->next;
                size_t k = hash(e->key) & (n - 1);
                e->next = slots[k];
                slots[k] = e;
            }
        }
        free(t->slots);
        t->slots = slots;
        t->size = n;
    }
    size_t k = hash(key) & (t->size - 1);
    for (struct entry *e = t->slots[k]; e; e = e->next) {
        if (strcmp(e->key, key) == 0) {
            e->value += value;
            return;
        }
    }
    struct entry *e = malloc(sizeof *e);
    e->key = strdup(key);
    e->value = value;
    e->next = t->slots[k];
    t->slots[k] = e;
    t->count++;
}

struct node { int v; struct node *next; };

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 20000;
    struct table t = {0};
    char key[32];
    for (int i = 0; i < n; i++) {
        snprintf(key, sizeof key, "k%d", (i * 7919) % (n / 2 + 1));
        put(&t, key, i % 13);
    }
    long total = 0, longest = 0;
    for (size_t i = 0; i < t.size; i++) {
        long chain = 0;
        for (struct entry *e = t.slots[i]; e; e = e->next) {
            total += e->value;
            chain++;
        }
        if (chain > longest) longest = chain;
    }
    printf("table: %zu keys in %zu slots, values %ld, longest chain %ld\n", t.count, t.size, total, longest);
    for (size_t i = 0; i < t.size; i++) {
        for (struct entry *e = t.slots[i], *next; e; e = next) {
            next = e->next;
            free(e->key);
            free(e);
        }
    }
    free(t.slots);

    struct node *list = NULL;
    for (int i = 0; i < n; i++) {
        struct node *nd = malloc(sizeof *nd);
        nd->v = i;
        nd->next = list;
        list = nd;
    }
    struct node *rev = NULL;
    while (list) {
        struct node *next = list->next;
        list->next = rev;
        rev = list;
        list = next;
    }
    long weighted = 0;
    int pos = 0;
    while (rev) {
        struct node *next = rev->next;
        weighted += (long)rev->v * (pos++ % 7);
        free(rev);
        rev = next;
    }
    printf("list: %d nodes, weighted %ld\n", pos, weighted);

    char *buf = NULL;
    size_t len = 0, cap = 0;
    for (int i = 0; i < n / 10; i++) {
        char piece[16];
        int k = snprintf(piece, sizeof piece, "%d,", i);
        if (len + (size_t)k + 1 > cap) {
            cap = cap ? cap * 2 : 16;
            buf = realloc(buf, cap);
        }
        memcpy(buf + len, piece, (size_t)k + 1);
        len += (size_t)k;
    }
    printf("buffer: %zu bytes, ends with \"%s\"\n", len, len > 12 ? buf + len - 12 : buf);
    free(buf);
    return 0;
}
