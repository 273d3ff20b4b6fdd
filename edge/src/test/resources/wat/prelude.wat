  ;; The prelude of every test program (see Wat.java): reporting helpers over the Compute ABI.
  ;; Scratch: 0x00 response handle, 0x04 body handle, 0x08 nwritten, 0x10-0x40 digits, 0x200 texts, 0x280 message.
  ;; Report: 0x30000 up, sent by $finish.
  (data (i32.const 0x200) "step ")
  (data (i32.const 0x208) ": got ")
  (global $report_end (mut i32) (i32.const 0x30000))

  (func $copy (param $dst i32) (param $src i32) (param $len i32)
    (block $done
      (loop $bytes
        (br_if $done (i32.eqz (local.get $len)))
        (i32.store8 (local.get $dst) (i32.load8_u (local.get $src)))
        (local.set $dst (i32.add (local.get $dst) (i32.const 1)))
        (local.set $src (i32.add (local.get $src) (i32.const 1)))
        (local.set $len (i32.sub (local.get $len) (i32.const 1)))
        (br $bytes))))

  ;; Writes $v in decimal at $at; returns its length.
  (func $dec (param $v i64) (param $at i32) (result i32)
    (local $p i32) (local $neg i32) (local $n i32)
    (local.set $p (i32.const 0x40))
    (if (i64.lt_s (local.get $v) (i64.const 0))
      (then
        (local.set $neg (i32.const 1))
        (local.set $v (i64.sub (i64.const 0) (local.get $v)))))
    (loop $digits
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (i32.store8 (local.get $p)
        (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
      (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
      (br_if $digits (i64.ne (local.get $v) (i64.const 0))))
    (if (local.get $neg)
      (then
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (i32.store8 (local.get $p) (i32.const 45))))
    (local.set $n (i32.sub (i32.const 0x40) (local.get $p)))
    (call $copy (local.get $at) (local.get $p) (local.get $n))
    (local.get $n))

  ;; Sends a response with $status and the $len bytes at $ptr; traps if it cannot.
  (func $respond (param $status i32) (param $ptr i32) (param $len i32)
    (if (call $fastly_http_resp.new (i32.const 0x00)) (then unreachable))
    (if (call $fastly_http_resp.status_set (i32.load (i32.const 0x00)) (local.get $status)) (then unreachable))
    (if (call $fastly_http_body.new (i32.const 0x04)) (then unreachable))
    (if (call $fastly_http_body.write
          (i32.load (i32.const 0x04)) (local.get $ptr) (local.get $len) (i32.const 0) (i32.const 0x08))
      (then unreachable))
    (if (call $fastly_http_resp.send_downstream (i32.load (i32.const 0x00)) (i32.load (i32.const 0x04)) (i32.const 0))
      (then unreachable)))

  (func $reply (param $ptr i32) (param $len i32)
    (call $respond (i32.const 200) (local.get $ptr) (local.get $len)))

  ;; Answers 500 "step S: got G" and stops the guest.
  (func $fail (param $step i32) (param $got i32)
    (local $at i32)
    (call $copy (i32.const 0x280) (i32.const 0x200) (i32.const 5))
    (local.set $at (i32.add (i32.const 0x285) (call $dec (i64.extend_i32_s (local.get $step)) (i32.const 0x285))))
    (call $copy (local.get $at) (i32.const 0x208) (i32.const 6))
    (local.set $at (i32.add (local.get $at) (i32.const 6)))
    (local.set $at (i32.add (local.get $at) (call $dec (i64.extend_i32_s (local.get $got)) (local.get $at))))
    (call $respond (i32.const 500) (i32.const 0x280) (i32.sub (local.get $at) (i32.const 0x280)))
    unreachable)

  ;; Fails at $step unless $status is 0 (ok).
  (func $ok (param $status i32) (param $step i32)
    (if (local.get $status) (then (call $fail (local.get $step) (local.get $status)))))

  (func $expect (param $got i32) (param $want i32) (param $step i32)
    (if (i32.ne (local.get $got) (local.get $want)) (then (call $fail (local.get $step) (local.get $got)))))

  ;; Appends to the report.
  (func $say (param $ptr i32) (param $len i32)
    (call $copy (global.get $report_end) (local.get $ptr) (local.get $len))
    (global.set $report_end (i32.add (global.get $report_end) (local.get $len))))

  (func $say_i64 (param $v i64)
    (global.set $report_end
      (i32.add (global.get $report_end) (call $dec (local.get $v) (global.get $report_end)))))

  (func $say_i32 (param $v i32)
    (call $say_i64 (i64.extend_i32_s (local.get $v))))

  ;; Appends one character.
  (func $say_char (param $c i32)
    (i32.store8 (global.get $report_end) (local.get $c))
    (global.set $report_end (i32.add (global.get $report_end) (i32.const 1))))

  ;; Answers 200 with the report.
  (func $finish
    (call $reply (i32.const 0x30000) (i32.sub (global.get $report_end) (i32.const 0x30000))))
