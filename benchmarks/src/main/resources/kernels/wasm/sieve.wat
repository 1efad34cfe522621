;; Sieve of Eratosthenes over 8192 byte flags in linear memory, repeated n times, as
;; kernels/sieve.clif; returns the total count of primes found (1028 per round).
(module
  (memory (export "memory") 1)
  (func (export "kernel") (param $n i64) (result i64)
    (local $r i64) (local $total i64) (local $k i32) (local $p i32) (local $m i32)
    (loop $round
      (local.set $k (i32.const 0))
      (loop $clear
        (i32.store8 (local.get $k) (i32.const 1))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br_if $clear (i32.lt_u (local.get $k) (i32.const 8192))))
      (local.set $p (i32.const 2))
      (loop $primes
        (if (i32.load8_u (local.get $p))
          (then
            (local.set $total (i64.add (local.get $total) (i64.const 1)))
            (local.set $m (i32.mul (local.get $p) (local.get $p)))
            (if (i32.lt_u (local.get $m) (i32.const 8192))
              (then
                (loop $mark
                  (i32.store8 (local.get $m) (i32.const 0))
                  (local.set $m (i32.add (local.get $m) (local.get $p)))
                  (br_if $mark (i32.lt_u (local.get $m) (i32.const 8192))))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br_if $primes (i32.lt_u (local.get $p) (i32.const 8192))))
      (local.set $r (i64.add (local.get $r) (i64.const 1)))
      (br_if $round (i64.lt_u (local.get $r) (local.get $n))))
    (local.get $total)))
