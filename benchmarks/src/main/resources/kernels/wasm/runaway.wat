;; An infinite loop, for interrupt latency: "spin" never returns on its own.
(module
  (func (export "spin") (param $n i64) (result i64)
    (loop $forever
      (local.set $n (i64.add (local.get $n) (i64.const 1)))
      (br $forever))
    (local.get $n)))
