;; Nested-loop sum, as kernels/nested.clif: sum over i < n, j < n of (i * j) ^ j.
(module
  (func (export "kernel") (param $n i64) (result i64)
    (local $i i64) (local $j i64) (local $sum i64)
    (loop $outer
      (local.set $j (i64.const 0))
      (loop $inner
        (local.set $sum (i64.add (local.get $sum)
          (i64.xor (i64.mul (local.get $i) (local.get $j)) (local.get $j))))
        (local.set $j (i64.add (local.get $j) (i64.const 1)))
        (br_if $inner (i64.lt_u (local.get $j) (local.get $n))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $outer (i64.lt_u (local.get $i) (local.get $n))))
    (local.get $sum)))
