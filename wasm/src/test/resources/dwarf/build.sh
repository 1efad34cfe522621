#!/bin/sh
# Rebuilds LineTableTest's inputs: lines.c for wasm32 with each DWARF version, and
# llvm-dwarfdump's view of each line table (the test's expectations). Debian 12:
# apt-get install clang lld llvm (clang 14). Run from this directory.
set -e
for v in 2 3 4 5; do
  clang --target=wasm32 -O2 -gdwarf-$v -fdebug-prefix-map="$(pwd)"=/src/dwarf -nostdlib -Wl,--no-entry -o lines-v$v.wasm lines.c
  llvm-dwarfdump-14 --debug-line lines-v$v.wasm > lines-v$v.debug_line.txt
done
