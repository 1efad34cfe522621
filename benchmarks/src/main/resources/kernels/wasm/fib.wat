;; Recursive Fibonacci, as kernels/fib.clif: call-heavy.
(module
  (func $fib (param $n i64) (result i64)
    (if (result i64) (i64.lt_s (local.get $n) (i64.const 2))
      (then (local.get $n))
      (else (i64.add (call $fib (i64.sub (local.get $n) (i64.const 1)))
                     (call $fib (i64.sub (local.get $n) (i64.const 2)))))))
  (func (export "kernel") (param $n i64) (result i64)
    (call $fib (local.get $n))))
