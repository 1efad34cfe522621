/*
 * Shared by the C twins of the epoch benchmark's CLIF kernels (one file per kernel here,
 * beside the .clif it mirrors). The bench compiles them with the system `gcc -O2` into a
 * shared library and calls them the way it calls guest code (GccBaseline.java).
 *
 * Problem: where code lands moves these loops by tens of percent on the build machine, so
 * the bench never times Patchbay's code at one placement: it compiles each kernel at eight
 * function pads (0 to 112 bytes past a 64-byte boundary) and pools them. The C twins get
 * the same treatment: the bench compiles them once per pad with -DPAD=N, and
 * KERNEL_SECTION(name) opens the kernel's own section with PAD bytes at a 64-byte boundary,
 * which the kernel's functions (IN_KERNEL(name)) then follow. The bench checks that label's
 * address modulo 64 against the pad, and that the entry point is not before it, so a
 * compiler that moved the asm elsewhere shows up.
 *
 * Invariants: every kernel takes its argument and returns its result as 64-bit integers
 * (the CLIF signature (i64) -> i64), computes with the same types and wrap-around as its
 * CLIF, and depends on its argument, so gcc cannot fold the work away. gcc's other choices
 * (alignment of loops, memset for a clearing loop, unrolling) are its own: this is the
 * baseline as `gcc -O2` makes it.
 */
#ifndef PATCHBAY_KERNEL_H
#define PATCHBAY_KERNEL_H

#include <stdint.h>

#ifndef PAD
#define PAD 0
#endif

#define PB_STR2(x) #x
#define PB_STR(x) PB_STR2(x)

/*
 * Opens .text.NAME at a 64-byte boundary, PAD bytes of NOPs, and the global label
 * NAME_start where the kernel's first function follows. Needs -fno-toplevel-reorder, which
 * keeps this asm before the functions that follow it in the file.
 */
#define KERNEL_SECTION(name) \
    __asm__(".pushsection .text." #name ",\"ax\",@progbits\n\t.p2align 6\n\t.fill " PB_STR(PAD) ", 1, 0x90\n" \
            "\t.globl " #name "_start\n" #name "_start:\n\t.popsection")

#define IN_KERNEL(name) __attribute__((section(".text." #name)))

#endif
