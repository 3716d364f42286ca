;; Hostile test plugin, written as a core module because no guest language
;; makes it: every scan answers with 128 fields (within the field limit)
;; whose keys and values all point at the same 1 MiB buffer. Copying the
;; answer out would cost the host 256 MiB; the server must stop the copy at
;; its transfer limit. Built by build.sh with wasm-tools (`component embed`,
;; `component new`).
(module
  (memory (export "memory") 20)
  ;; cabi_realloc hands out memory from 0x110000 to 0x140000.
  (global $next (mut i32) (i32.const 0x110000))
  (data (i32.const 0x108000) "hostile-alias")
  (data (i32.const 0x108080) "Aliased answer")
  (data (i32.const 0x108100) "Answers with 128 fields whose keys and values all point at one 1 MiB buffer.")
  (data (i32.const 0x108180) "0.1.0")
  (data (i32.const 0x108200) "barcoded developers (test plugin)")
  (data (i32.const 0x108280) "ALIAS")

  (func (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $at i32)
    (local.set $at
      (i32.and
        (i32.add (global.get $next) (i32.sub (local.get $align) (i32.const 1)))
        (i32.sub (i32.const 0) (local.get $align))))
    (if (i32.gt_u (i32.add (local.get $at) (local.get $size)) (i32.const 0x140000))
      (then unreachable))
    (global.set $next (i32.add (local.get $at) (local.get $size)))
    (local.get $at))

  (func (export "barcode:plugin/decoder@0.1.0#info") (result i32)
    (i32.store (i32.const 0x108400) (i32.const 0x108000))
    (i32.store (i32.const 0x108404) (i32.const 13))
    (i32.store (i32.const 0x108408) (i32.const 0x108080))
    (i32.store (i32.const 0x10840c) (i32.const 14))
    (i32.store (i32.const 0x108410) (i32.const 0x108100))
    (i32.store (i32.const 0x108414) (i32.const 76))
    (i32.store (i32.const 0x108418) (i32.const 0x108180))
    (i32.store (i32.const 0x10841c) (i32.const 5))
    (i32.store (i32.const 0x108420) (i32.const 0x108200))
    (i32.store (i32.const 0x108424) (i32.const 33))
    (i32.const 0x108400))

  (func (export "barcode:plugin/decoder@0.1.0#scan") (param $data i32) (param $len i32) (result i32)
    (local $i i32)
    (local $field i32)
    ;; 128 fields at 0x100000, 16 bytes each: key (0, 1 MiB), value (0, 1 MiB).
    (loop $fill
      (local.set $field (i32.add (i32.const 0x100000) (i32.mul (local.get $i) (i32.const 16))))
      (i32.store offset=4 (local.get $field) (i32.const 0x100000))
      (i32.store offset=12 (local.get $field) (i32.const 0x100000))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $fill (i32.lt_u (local.get $i) (i32.const 128))))
    ;; result<option<scan-result>, scan-error> at 0x109000: ok, some.
    (i32.store8 (i32.const 0x109000) (i32.const 0))
    (i32.store8 (i32.const 0x109004) (i32.const 1))
    (i32.store (i32.const 0x109008) (i32.const 0x108280))
    (i32.store (i32.const 0x10900c) (i32.const 5))
    ;; lookup-code, uom-code, quantity and payload stay none (zero).
    (i32.store (i32.const 0x109030) (i32.const 0x100000))
    (i32.store (i32.const 0x109034) (i32.const 128))
    (i32.const 0x109000))
)
