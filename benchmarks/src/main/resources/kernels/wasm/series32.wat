;; An f32 series: sum over i < n of sqrt(x*x + 1) / (x + 1) with x = i * 0.001, in f32
;; arithmetic; returns the sum's bit pattern (as an unsigned 32-bit value).
(module
  (func (export "kernel") (param $n i64) (result i64)
    (local $i i64) (local $x f32) (local $sum f32)
    (loop $terms
      (local.set $x (f32.mul (f32.convert_i64_s (local.get $i)) (f32.const 0.001)))
      (local.set $sum (f32.add (local.get $sum)
        (f32.div (f32.sqrt (f32.add (f32.mul (local.get $x) (local.get $x)) (f32.const 1)))
                 (f32.add (local.get $x) (f32.const 1)))))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br_if $terms (i64.lt_u (local.get $i) (local.get $n))))
    (i64.extend_i32_u (i32.reinterpret_f32 (local.get $sum)))))
