;; Collatz search, as kernels/collatz.clif: the largest number of steps for any start in
;; 1..n, and the start that needs it (returned as steps * 2^32 + start).
(module
  (func (export "kernel") (param $n i64) (result i64)
    (local $start i64) (local $best i64) (local $bestStart i64) (local $x i64) (local $steps i64)
    (local $better i32)
    (local.set $start (i64.const 1))
    (loop $starts
      (local.set $x (local.get $start))
      (local.set $steps (i64.const 0))
      (block $done
        (loop $step
          (br_if $done (i64.eq (local.get $x) (i64.const 1)))
          (local.set $x (select
            (i64.add (i64.mul (local.get $x) (i64.const 3)) (i64.const 1))
            (i64.shr_u (local.get $x) (i64.const 1))
            (i32.wrap_i64 (i64.and (local.get $x) (i64.const 1)))))
          (local.set $steps (i64.add (local.get $steps) (i64.const 1)))
          (br $step)))
      (local.set $better (i64.gt_u (local.get $steps) (local.get $best)))
      (local.set $best (select (local.get $steps) (local.get $best) (local.get $better)))
      (local.set $bestStart (select (local.get $start) (local.get $bestStart) (local.get $better)))
      (local.set $start (i64.add (local.get $start) (i64.const 1)))
      (br_if $starts (i64.le_u (local.get $start) (local.get $n))))
    (i64.or (i64.shl (local.get $best) (i64.const 32)) (local.get $bestStart))))
