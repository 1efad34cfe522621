;; Bitwise CRC-32 (polynomial 0xEDB88320) over n bytes from an LCG, as kernels/crc32.clif.
(module
  (func (export "kernel") (param $n i64) (result i64)
    (local $i i64) (local $crc i32) (local $lcg i64) (local $bit i32)
    (local.set $crc (i32.const -1))
    (local.set $lcg (i64.const 7))
    (loop $byte
      (local.set $lcg (i64.add (i64.mul (local.get $lcg) (i64.const 6364136223846793005))
                               (i64.const 1442695040888963407)))
      (local.set $crc (i32.xor (local.get $crc)
                               (i32.wrap_i64 (i64.shr_u (local.get $lcg) (i64.const 56)))))
      (local.set $bit (i32.const 0))
      (loop $bits
        (local.set $crc (i32.xor (i32.shr_u (local.get $crc) (i32.const 1))
          (i32.and (i32.sub (i32.const 0) (i32.and (local.get $crc) (i32.const 1)))
                   (i32.const 0xEDB88320))))
        (local.set $bit (i32.add (local.get $bit) (i32.const 1)))
        (br_if $bits (i32.lt_u (local.get $bit) (i32.const 8))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $byte (i64.lt_u (local.get $i) (local.get $n))))
    (i64.extend_i32_u (i32.xor (local.get $crc) (i32.const -1)))))
