  ;; fastly_cache without transactions: insert, lookup, the found object's metadata and body, ranges, one body at a
  ;; time, purge, and the statuses of bad calls. Reports: <metadata>,<length>,<hits>,<max age>,<range>,<after purge>.
  ;; Data: keys and texts at 0x400, write options at 0x1000 (80 bytes), get_body options at 0x1100, outputs at 0x2000,
  ;; read buffer at 0x3000.
  (data (i32.const 0x400) "k1")
  (data (i32.const 0x420) "meta")
  (data (i32.const 0x430) "sk1")
  (data (i32.const 0x440) "hello")
  (data (i32.const 0x450) "nope")

  ;; Reads a body to its end at $dst; returns the length.
  (func $read_all (param $body i32) (param $dst i32) (result i32)
    (local $total i32)
    (block $end
      (loop $more
        (call $ok (call $fastly_http_body.read (local.get $body)
                    (i32.add (local.get $dst) (local.get $total)) (i32.const 4096) (i32.const 0x2100)) (i32.const 90))
        (br_if $end (i32.eqz (i32.load (i32.const 0x2100))))
        (local.set $total (i32.add (local.get $total) (i32.load (i32.const 0x2100))))
        (br $more)))
    (local.get $total))

  (func (export "_start")
    (local $body i32) (local $h i32) (local $n i32)
    ;; insert "hello" under k1: 60 s, metadata "meta", surrogate key "sk1", length 5
    (i64.store (i32.const 0x1000) (i64.const 60000000000))
    (i32.store (i32.const 0x1028) (i32.const 0x430))
    (i32.store (i32.const 0x102c) (i32.const 3))
    (i64.store (i32.const 0x1030) (i64.const 5))
    (i32.store (i32.const 0x1038) (i32.const 0x420))
    (i32.store (i32.const 0x103c) (i32.const 4))
    (call $ok (call $fastly_cache.insert (i32.const 0x400) (i32.const 2) (i32.const 224) (i32.const 0x1000)
      (i32.const 0x2000)) (i32.const 1))
    (local.set $body (i32.load (i32.const 0x2000)))
    (call $ok (call $fastly_http_body.write (local.get $body) (i32.const 0x440) (i32.const 5) (i32.const 0)
      (i32.const 0x2004)) (i32.const 2))
    (call $ok (call $fastly_http_body.close (local.get $body)) (i32.const 3))

    ;; lookup: found and usable
    (call $ok (call $fastly_cache.lookup (i32.const 0x400) (i32.const 2) (i32.const 0) (i32.const 0)
      (i32.const 0x2008)) (i32.const 4))
    (local.set $h (i32.load (i32.const 0x2008)))
    (call $ok (call $fastly_cache.get_state (local.get $h) (i32.const 0x200c)) (i32.const 5))
    (call $expect (i32.load (i32.const 0x200c)) (i32.const 3) (i32.const 6))
    ;; metadata: too small a buffer says how much it needs
    (call $expect (call $fastly_cache.get_user_metadata (local.get $h) (i32.const 0x3000) (i32.const 2)
      (i32.const 0x2010)) (i32.const 4) (i32.const 7))
    (call $expect (i32.load (i32.const 0x2010)) (i32.const 4) (i32.const 8))
    (call $ok (call $fastly_cache.get_user_metadata (local.get $h) (i32.const 0x3000) (i32.const 16)
      (i32.const 0x2010)) (i32.const 9))
    (call $say (i32.const 0x3000) (i32.load (i32.const 0x2010)))
    (call $say_char (i32.const 44))
    (call $ok (call $fastly_cache.get_length (local.get $h) (i32.const 0x2018)) (i32.const 10))
    (call $say_i64 (i64.load (i32.const 0x2018)))
    (call $say_char (i32.const 44))
    (call $ok (call $fastly_cache.get_hits (local.get $h) (i32.const 0x2018)) (i32.const 11))
    (call $say_i64 (i64.load (i32.const 0x2018)))
    (call $say_char (i32.const 44))
    (call $ok (call $fastly_cache.get_max_age_ns (local.get $h) (i32.const 0x2018)) (i32.const 12))
    (call $say_i64 (i64.load (i32.const 0x2018)))
    (call $say_char (i32.const 44))
    ;; bytes 1 to 3
    (i64.store (i32.const 0x1100) (i64.const 1))
    (i64.store (i32.const 0x1108) (i64.const 3))
    (call $ok (call $fastly_cache.get_body (local.get $h) (i32.const 6) (i32.const 0x1100) (i32.const 0x2020))
      (i32.const 13))
    (local.set $n (call $read_all (i32.load (i32.const 0x2020)) (i32.const 0x3000)))
    (call $say (i32.const 0x3000) (local.get $n))
    (call $say_char (i32.const 44))
    ;; one body at a time per handle: the first must be closed before the next
    (call $expect (call $fastly_cache.get_body (local.get $h) (i32.const 0) (i32.const 0) (i32.const 0x2024))
      (i32.const 3) (i32.const 14))
    (call $ok (call $fastly_http_body.close (i32.load (i32.const 0x2020))) (i32.const 15))
    (call $ok (call $fastly_cache.get_body (local.get $h) (i32.const 0) (i32.const 0) (i32.const 0x2024))
      (i32.const 16))
    (call $ok (call $fastly_cache.close (local.get $h)) (i32.const 17))
    (call $expect (call $fastly_cache.get_state (local.get $h) (i32.const 0x200c)) (i32.const 3) (i32.const 18))

    ;; a key nobody inserted: nothing found, getters answer none
    (call $ok (call $fastly_cache.lookup (i32.const 0x450) (i32.const 4) (i32.const 0) (i32.const 0)
      (i32.const 0x2008)) (i32.const 19))
    (local.set $h (i32.load (i32.const 0x2008)))
    (call $ok (call $fastly_cache.get_state (local.get $h) (i32.const 0x200c)) (i32.const 20))
    (call $expect (i32.load (i32.const 0x200c)) (i32.const 0) (i32.const 21))
    (call $expect (call $fastly_cache.get_length (local.get $h) (i32.const 0x2018)) (i32.const 10) (i32.const 22))
    (call $expect (call $fastly_cache.get_body (local.get $h) (i32.const 0) (i32.const 0) (i32.const 0x2024))
      (i32.const 10) (i32.const 23))

    ;; purge by the surrogate key: gone
    (call $ok (call $fastly_purge.purge_surrogate_key (i32.const 0x430) (i32.const 3) (i32.const 0) (i32.const 0))
      (i32.const 24))
    (call $ok (call $fastly_cache.lookup (i32.const 0x400) (i32.const 2) (i32.const 0) (i32.const 0)
      (i32.const 0x2008)) (i32.const 25))
    (call $ok (call $fastly_cache.get_state (i32.load (i32.const 0x2008)) (i32.const 0x200c)) (i32.const 26))
    (call $say_i32 (i32.load (i32.const 0x200c)))

    ;; bad calls: a key over 4 KiB, an unknown option, a surrogate key with a space, an unknown purge option
    (call $expect (call $fastly_cache.insert (i32.const 0x400) (i32.const 5000) (i32.const 0) (i32.const 0x1000)
      (i32.const 0x2000)) (i32.const 2) (i32.const 27))
    (call $expect (call $fastly_cache.insert (i32.const 0x400) (i32.const 2) (i32.const 0x100000) (i32.const 0x1000)
      (i32.const 0x2000)) (i32.const 5) (i32.const 28))
    (call $expect (call $fastly_purge.purge_surrogate_key (i32.const 0x440) (i32.const 0) (i32.const 0)
      (i32.const 0)) (i32.const 2) (i32.const 29))
    (call $expect (call $fastly_purge.purge_surrogate_key (i32.const 0x430) (i32.const 3) (i32.const 8)
      (i32.const 0)) (i32.const 5) (i32.const 30))
    (call $finish))
