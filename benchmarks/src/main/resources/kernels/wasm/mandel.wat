;; Mandelbrot escape counts (f64): an n x n grid over [-2, 1] x [-1.5, 1.5], at most 200
;; iterations per point; returns the total iteration count.
(module
  (func (export "kernel") (param $n i64) (result i64)
    (local $total i64) (local $py i64) (local $px i64) (local $it i32)
    (local $scale f64) (local $cr f64) (local $ci f64) (local $zr f64) (local $zi f64) (local $t f64)
    (local.set $scale (f64.div (f64.const 3) (f64.convert_i64_s (local.get $n))))
    (loop $rows
      (local.set $ci (f64.sub (f64.mul (f64.convert_i64_s (local.get $py)) (local.get $scale)) (f64.const 1.5)))
      (local.set $px (i64.const 0))
      (loop $cols
        (local.set $cr (f64.sub (f64.mul (f64.convert_i64_s (local.get $px)) (local.get $scale)) (f64.const 2)))
        (local.set $zr (f64.const 0))
        (local.set $zi (f64.const 0))
        (local.set $it (i32.const 0))
        (block $escaped
          (loop $iter
            (br_if $escaped (f64.gt (f64.add (f64.mul (local.get $zr) (local.get $zr))
                                             (f64.mul (local.get $zi) (local.get $zi)))
                                    (f64.const 4)))
            (br_if $escaped (i32.ge_u (local.get $it) (i32.const 200)))
            (local.set $t (f64.add (f64.sub (f64.mul (local.get $zr) (local.get $zr))
                                            (f64.mul (local.get $zi) (local.get $zi)))
                                   (local.get $cr)))
            (local.set $zi (f64.add (f64.mul (f64.mul (f64.const 2) (local.get $zr)) (local.get $zi))
                                    (local.get $ci)))
            (local.set $zr (local.get $t))
            (local.set $it (i32.add (local.get $it) (i32.const 1)))
            (br $iter)))
        (local.set $total (i64.add (local.get $total) (i64.extend_i32_u (local.get $it))))
        (local.set $px (i64.add (local.get $px) (i64.const 1)))
        (br_if $cols (i64.lt_u (local.get $px) (local.get $n))))
      (local.set $py (i64.add (local.get $py) (i64.const 1)))
      (br_if $rows (i64.lt_u (local.get $py) (local.get $n))))
    (local.get $total)))
