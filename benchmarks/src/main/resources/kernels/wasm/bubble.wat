;; Bubble sort of 256 i32 values in linear memory, filled from an LCG, repeated n times,
;; as kernels/bubble.clif; returns a checksum of the sorted arrays.
(module
  (memory (export "memory") 1)
  (func (export "kernel") (param $n i64) (result i64)
    (local $r i64) (local $sum i64) (local $lcg i64)
    (local $k i32) (local $end i32) (local $a i32) (local $b i32) (local $addr i32) (local $gt i32)
    (local.set $lcg (i64.const 12345))
    (loop $round
      (local.set $k (i32.const 0))
      (loop $fill
        (local.set $lcg (i64.add (i64.mul (local.get $lcg) (i64.const 6364136223846793005))
                                 (i64.const 1442695040888963407)))
        (i32.store (i32.shl (local.get $k) (i32.const 2))
                   (i32.wrap_i64 (i64.shr_u (local.get $lcg) (i64.const 33))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $fill (i32.lt_u (local.get $k) (i32.const 256))))
      (local.set $end (i32.const 255))
      (loop $outer
        (local.set $k (i32.const 0))
        (loop $inner
          (local.set $addr (i32.shl (local.get $k) (i32.const 2)))
          (local.set $a (i32.load (local.get $addr)))
          (local.set $b (i32.load offset=4 (local.get $addr)))
          (local.set $gt (i32.gt_s (local.get $a) (local.get $b)))
          (i32.store (local.get $addr) (select (local.get $b) (local.get $a) (local.get $gt)))
          (i32.store offset=4 (local.get $addr) (select (local.get $a) (local.get $b) (local.get $gt)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br_if $inner (i32.lt_u (local.get $k) (local.get $end))))
        (local.set $end (i32.sub (local.get $end) (i32.const 1)))
        (br_if $outer (local.get $end)))
      (local.set $sum (i64.add (local.get $sum)
        (i64.add (i64.add (i64.load32_s (i32.const 0))
                          (i64.mul (i64.load32_s (i32.const 512)) (i64.const 3)))
                 (i64.mul (i64.load32_s (i32.const 1020)) (i64.const 7)))))
      (local.set $r (i64.add (local.get $r) (i64.const 1)))
      (br_if $round (i64.lt_u (local.get $r) (local.get $n))))
    (local.get $sum)))
