  ;; The readthrough cache of send under a request's cache override (Rust and Go SDKs set it with
  ;; cache_override_v2_set): the origin answers max-age=0, so only the override's TTL keeps its response.
  ;; One send misses, the next hits, a purge by the override's surrogate key empties it, send_v3 and a pass go to the
  ;; origin. The test counts what the origin got.
  (data (i32.const 0x400) "http://origin.test/rt")
  (data (i32.const 0x420) "origin")
  (data (i32.const 0x430) "rk")

  (func $request (param $tag i32) (result i32)
    (call $ok (call $fastly_http_req.new (i32.const 0x2000)) (i32.const 90))
    (call $ok (call $fastly_http_req.uri_set (i32.load (i32.const 0x2000)) (i32.const 0x400) (i32.const 21))
      (i32.const 91))
    (call $ok (call $fastly_http_req.cache_override_v2_set (i32.load (i32.const 0x2000)) (local.get $tag)
      (i32.const 60) (i32.const 0) (i32.const 0x430) (i32.const 2)) (i32.const 92))
    (call $ok (call $fastly_http_body.new (i32.const 0x2004)) (i32.const 93))
    (i32.load (i32.const 0x2000)))

  ;; send with the cache; the response status
  (func $send (param $req i32) (param $step i32) (result i32)
    (call $ok (call $fastly_http_req.send (local.get $req) (i32.load (i32.const 0x2004)) (i32.const 0x420)
      (i32.const 6) (i32.const 0x2008) (i32.const 0x200c)) (local.get $step))
    (call $ok (call $fastly_http_resp.status_get (i32.load (i32.const 0x2008)) (i32.const 0x2010)) (i32.const 94))
    (i32.load16_u (i32.const 0x2010)))

  (func (export "_start")
    (local $req i32)
    ;; ttl (tag 2) of 60 s with surrogate key "rk": a miss, then a hit
    (call $expect (call $send (call $request (i32.const 2)) (i32.const 1)) (i32.const 200) (i32.const 2))
    (call $expect (call $send (call $request (i32.const 2)) (i32.const 3)) (i32.const 200) (i32.const 4))
    (call $ok (call $fastly_purge.purge_surrogate_key (i32.const 0x430) (i32.const 2) (i32.const 0) (i32.const 0))
      (i32.const 5))
    (call $expect (call $send (call $request (i32.const 2)) (i32.const 6)) (i32.const 200) (i32.const 7))
    ;; send_v3 is never cached
    (local.set $req (call $request (i32.const 2)))
    (call $ok (call $fastly_http_req.send_v3 (local.get $req) (i32.load (i32.const 0x2004)) (i32.const 0x420)
      (i32.const 6) (i32.const 0x2014) (i32.const 0x2008) (i32.const 0x200c)) (i32.const 8))
    ;; pass (tag 1), with the old call
    (local.set $req (call $request (i32.const 2)))
    (call $ok (call $fastly_http_req.cache_override_set (local.get $req) (i32.const 1) (i32.const 0) (i32.const 0))
      (i32.const 9))
    (call $expect (call $send (local.get $req) (i32.const 10)) (i32.const 200) (i32.const 11))
    ;; an unknown tag bit (on a new request: sending consumed the last one)
    (call $expect (call $fastly_http_req.cache_override_set (call $request (i32.const 0)) (i32.const 16) (i32.const 0)
      (i32.const 0)) (i32.const 2) (i32.const 12))
    (call $finish))
