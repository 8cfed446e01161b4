;; The ml/ compute kernels in WebAssembly SIMD (f64x2), assembled by ml/kernels/build.mjs (wabt)
;; into kernels-wasm.ts. The rows are stored in pairs, interleaved: the block of rows (2b, 2b+1)
;; starts at x + b·d·16 and holds [x_2b,j, x_2b+1,j] at +j·16, so lane 0 is one row and lane 1 the
;; next. Each lane then sums its row's features in feature order, exactly as the scalar loops of
;; js.ts (and of ml/kmeans/lloyd.ts, ml/logreg/loss.ts) do: both give bit-identical results. With
;; an odd n the last block's lane 1 is a zero row whose results are not stored.
;; Offsets are in bytes.
(module
  (memory (export "memory") 1)

  ;; k-means assignment: for each of n rows the nearest of kp centroids (kp a multiple of 4; padding
  ;; centroids repeat the last real one, so a strict < never picks them), the first of equal ones,
  ;; by the squared distance Σ_j (x_j − c_j)² summed in feature order (the direct form: exact where
  ;; ‖c‖² − 2·x·c would cancel, on data far from the origin). Its distance goes into dist (f64) and
  ;; its index into lab (i32); with sums != 0 the row is also added to its cluster's sum (kp·d f64,
  ;; row-major) and 1 to its count (kp f64), in row order. Returns the inertia Σ squared distance,
  ;; in row order. The centroids at cen are in groups of 4 (kp/4·4·d f64), each group interleaved
  ;; by feature: [c0_j, c1_j, c2_j, c3_j] at +j·32, so the feature loop walks one pointer. Two pairs
  ;; of rows (4 rows) go through each group together: 8 independent sums per step, so the loop is
  ;; not held up by the latency of one addition chain; a last lone pair runs as its own twin (the
  ;; twin's results are dropped).
  (func $km_assign (export "km_assign")
    (param $x i32) (param $n i32) (param $d i32) (param $cen i32) (param $kp i32)
    (param $dist i32) (param $lab i32) (param $sums i32) (param $counts i32) (result f64)
    (local $cb i32) (local $i i32) (local $xo i32) (local $xq i32) (local $g i32) (local $c0 i32) (local $xp i32) (local $xp1 i32) (local $cp i32) (local $cend i32)
    (local $q i32) (local $r i32) (local $b i32) (local $so i32) (local $lo i32) (local $m i32)
    (local $inertia f64) (local $mk v128) (local $bestD0 v128) (local $best0 v128) (local $bestD1 v128) (local $best1 v128)
    (local $xv0 v128) (local $xv1 v128) (local $c v128) (local $t v128)
    (local $a00 v128) (local $a01 v128) (local $a02 v128) (local $a03 v128)
    (local $a10 v128) (local $a11 v128) (local $a12 v128) (local $a13 v128)
    (local.set $cb (i32.shl (local.get $d) (i32.const 3)))
    (local.set $xo (local.get $x))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $n)))
        ;; the second pair: the next one, or this one again when it is the last
        (local.set $xq (select (i32.add (local.get $xo) (i32.shl (local.get $cb) (i32.const 1))) (local.get $xo)
          (i32.lt_u (i32.add (local.get $i) (i32.const 2)) (local.get $n))))
        (local.set $bestD0 (v128.const f64x2 inf inf))
        (local.set $best0 (v128.const i64x2 0 0))
        (local.set $bestD1 (v128.const f64x2 inf inf))
        (local.set $best1 (v128.const i64x2 0 0))
        (local.set $g (i32.const 0))
        (local.set $c0 (local.get $cen))
        (block $groups_done
          (loop $groups
            (br_if $groups_done (i32.ge_u (local.get $g) (local.get $kp)))
            (local.set $a00 (v128.const f64x2 0 0)) (local.set $a01 (v128.const f64x2 0 0))
            (local.set $a02 (v128.const f64x2 0 0)) (local.set $a03 (v128.const f64x2 0 0))
            (local.set $a10 (v128.const f64x2 0 0)) (local.set $a11 (v128.const f64x2 0 0))
            (local.set $a12 (v128.const f64x2 0 0)) (local.set $a13 (v128.const f64x2 0 0))
            ;; d >= 1: the feature loop runs at least once (bottom-tested)
            (local.set $xp (local.get $xo))
            (local.set $xp1 (local.get $xq))
            (local.set $cp (local.get $c0))
            (local.set $cend (i32.add (local.get $c0) (i32.shl (local.get $cb) (i32.const 2))))
            (loop $feat
              (local.set $xv0 (v128.load (local.get $xp)))
              (local.set $xv1 (v128.load (local.get $xp1)))
              (local.set $c (v128.load64_splat offset=0 (local.get $cp)))
              (local.set $t (f64x2.sub (local.get $xv0) (local.get $c)))
              (local.set $a00 (f64x2.add (local.get $a00) (f64x2.mul (local.get $t) (local.get $t))))
              (local.set $t (f64x2.sub (local.get $xv1) (local.get $c)))
              (local.set $a10 (f64x2.add (local.get $a10) (f64x2.mul (local.get $t) (local.get $t))))
              (local.set $c (v128.load64_splat offset=8 (local.get $cp)))
              (local.set $t (f64x2.sub (local.get $xv0) (local.get $c)))
              (local.set $a01 (f64x2.add (local.get $a01) (f64x2.mul (local.get $t) (local.get $t))))
              (local.set $t (f64x2.sub (local.get $xv1) (local.get $c)))
              (local.set $a11 (f64x2.add (local.get $a11) (f64x2.mul (local.get $t) (local.get $t))))
              (local.set $c (v128.load64_splat offset=16 (local.get $cp)))
              (local.set $t (f64x2.sub (local.get $xv0) (local.get $c)))
              (local.set $a02 (f64x2.add (local.get $a02) (f64x2.mul (local.get $t) (local.get $t))))
              (local.set $t (f64x2.sub (local.get $xv1) (local.get $c)))
              (local.set $a12 (f64x2.add (local.get $a12) (f64x2.mul (local.get $t) (local.get $t))))
              (local.set $c (v128.load64_splat offset=24 (local.get $cp)))
              (local.set $t (f64x2.sub (local.get $xv0) (local.get $c)))
              (local.set $a03 (f64x2.add (local.get $a03) (f64x2.mul (local.get $t) (local.get $t))))
              (local.set $t (f64x2.sub (local.get $xv1) (local.get $c)))
              (local.set $a13 (f64x2.add (local.get $a13) (f64x2.mul (local.get $t) (local.get $t))))
              (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
              (local.set $xp1 (i32.add (local.get $xp1) (i32.const 16)))
              (local.set $cp (i32.add (local.get $cp) (i32.const 32)))
              (br_if $feat (i32.lt_u (local.get $cp) (local.get $cend))))
            ;; centroid order, strict <: the first of equal distances wins (NaN never does)
            (local.set $mk (f64x2.lt (local.get $a00) (local.get $bestD0)))
            (local.set $bestD0 (v128.bitselect (local.get $a00) (local.get $bestD0) (local.get $mk)))
            (local.set $best0 (v128.bitselect (i64x2.splat (i64.extend_i32_u (local.get $g))) (local.get $best0) (local.get $mk)))
            (local.set $mk (f64x2.lt (local.get $a10) (local.get $bestD1)))
            (local.set $bestD1 (v128.bitselect (local.get $a10) (local.get $bestD1) (local.get $mk)))
            (local.set $best1 (v128.bitselect (i64x2.splat (i64.extend_i32_u (local.get $g))) (local.get $best1) (local.get $mk)))
            (local.set $mk (f64x2.lt (local.get $a01) (local.get $bestD0)))
            (local.set $bestD0 (v128.bitselect (local.get $a01) (local.get $bestD0) (local.get $mk)))
            (local.set $best0 (v128.bitselect (i64x2.splat (i64.extend_i32_u (i32.add (local.get $g) (i32.const 1)))) (local.get $best0) (local.get $mk)))
            (local.set $mk (f64x2.lt (local.get $a11) (local.get $bestD1)))
            (local.set $bestD1 (v128.bitselect (local.get $a11) (local.get $bestD1) (local.get $mk)))
            (local.set $best1 (v128.bitselect (i64x2.splat (i64.extend_i32_u (i32.add (local.get $g) (i32.const 1)))) (local.get $best1) (local.get $mk)))
            (local.set $mk (f64x2.lt (local.get $a02) (local.get $bestD0)))
            (local.set $bestD0 (v128.bitselect (local.get $a02) (local.get $bestD0) (local.get $mk)))
            (local.set $best0 (v128.bitselect (i64x2.splat (i64.extend_i32_u (i32.add (local.get $g) (i32.const 2)))) (local.get $best0) (local.get $mk)))
            (local.set $mk (f64x2.lt (local.get $a12) (local.get $bestD1)))
            (local.set $bestD1 (v128.bitselect (local.get $a12) (local.get $bestD1) (local.get $mk)))
            (local.set $best1 (v128.bitselect (i64x2.splat (i64.extend_i32_u (i32.add (local.get $g) (i32.const 2)))) (local.get $best1) (local.get $mk)))
            (local.set $mk (f64x2.lt (local.get $a03) (local.get $bestD0)))
            (local.set $bestD0 (v128.bitselect (local.get $a03) (local.get $bestD0) (local.get $mk)))
            (local.set $best0 (v128.bitselect (i64x2.splat (i64.extend_i32_u (i32.add (local.get $g) (i32.const 3)))) (local.get $best0) (local.get $mk)))
            (local.set $mk (f64x2.lt (local.get $a13) (local.get $bestD1)))
            (local.set $bestD1 (v128.bitselect (local.get $a13) (local.get $bestD1) (local.get $mk)))
            (local.set $best1 (v128.bitselect (i64x2.splat (i64.extend_i32_u (i32.add (local.get $g) (i32.const 3)))) (local.get $best1) (local.get $mk)))
            (local.set $g (i32.add (local.get $g) (i32.const 4)))
            (local.set $c0 (local.get $cend))
            (br $groups)))
        ;; The 4 rows' results (those < n), in row order: distance, cluster, inertia; then (with sums)
        ;; each row added to its cluster's sum and count, in row order. Inline rather than a call per
        ;; row: the call was a quarter of the pass (CPU profile).
        (local.set $m (i32.sub (local.get $n) (local.get $i)))
        (local.set $q (select (i32.const 4) (local.get $m) (i32.gt_u (local.get $m) (i32.const 4))))
        (local.set $so (i32.add (local.get $dist) (i32.shl (local.get $i) (i32.const 3))))
        (local.set $lo (i32.add (local.get $lab) (i32.shl (local.get $i) (i32.const 2))))
        (f64.store (local.get $so) (f64x2.extract_lane 0 (local.get $bestD0)))
        (i32.store (local.get $lo) (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $best0))))
        (local.set $inertia (f64.add (local.get $inertia) (f64x2.extract_lane 0 (local.get $bestD0))))
        (if (i32.gt_u (local.get $q) (i32.const 1))
          (then
            (f64.store offset=8 (local.get $so) (f64x2.extract_lane 1 (local.get $bestD0)))
            (i32.store offset=4 (local.get $lo) (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $best0))))
            (local.set $inertia (f64.add (local.get $inertia) (f64x2.extract_lane 1 (local.get $bestD0))))))
        (if (i32.gt_u (local.get $q) (i32.const 2))
          (then
            (f64.store offset=16 (local.get $so) (f64x2.extract_lane 0 (local.get $bestD1)))
            (i32.store offset=8 (local.get $lo) (i32.wrap_i64 (i64x2.extract_lane 0 (local.get $best1))))
            (local.set $inertia (f64.add (local.get $inertia) (f64x2.extract_lane 0 (local.get $bestD1))))))
        (if (i32.gt_u (local.get $q) (i32.const 3))
          (then
            (f64.store offset=24 (local.get $so) (f64x2.extract_lane 1 (local.get $bestD1)))
            (i32.store offset=12 (local.get $lo) (i32.wrap_i64 (i64x2.extract_lane 1 (local.get $best1))))
            (local.set $inertia (f64.add (local.get $inertia) (f64x2.extract_lane 1 (local.get $bestD1))))))
        (if (local.get $sums)
          (then
            (local.set $r (i32.const 0))
            (loop $acc
              ;; row i + r: its features from lane r & 1 of its pair (xo for r < 2, xq after)
              (local.set $xp (i32.add (select (local.get $xo) (local.get $xq) (i32.lt_u (local.get $r) (i32.const 2)))
                (i32.shl (i32.and (local.get $r) (i32.const 1)) (i32.const 3))))
              (local.set $b (i32.load (i32.add (local.get $lo) (i32.shl (local.get $r) (i32.const 2)))))
              (local.set $cp (i32.add (local.get $counts) (i32.shl (local.get $b) (i32.const 3))))
              (f64.store (local.get $cp) (f64.add (f64.load (local.get $cp)) (f64.const 1)))
              (local.set $cp (i32.add (local.get $sums) (i32.mul (local.get $b) (local.get $cb))))
              (local.set $cend (i32.add (local.get $cp) (local.get $cb)))
              (loop $feat_acc
                (f64.store (local.get $cp) (f64.add (f64.load (local.get $cp)) (f64.load (local.get $xp))))
                (local.set $cp (i32.add (local.get $cp) (i32.const 8)))
                (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
                (br_if $feat_acc (i32.lt_u (local.get $cp) (local.get $cend))))
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br_if $acc (i32.lt_u (local.get $r) (local.get $q))))))
        (local.set $xo (i32.add (local.get $xo) (i32.shl (local.get $cb) (i32.const 2))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
    (local.get $inertia))

  ;; z[i·r + c] = b_c + Σ_j x_ij·w_cj (features in order) for n rows (rounded up to even: the zero
  ;; row's z is written too) and r weight rows (r·d f64 at w, r biases at b).
  (func (export "lr_xw")
    (param $x i32) (param $n i32) (param $d i32) (param $w i32) (param $b i32) (param $r i32) (param $z i32)
    (local $cb i32) (local $i i32) (local $xo i32) (local $cl i32) (local $wo i32) (local $jb i32) (local $a v128) (local $zr i32) (local $a2 v128) (local $xv v128)
    (local.set $cb (i32.shl (local.get $d) (i32.const 3)))
    (local.set $zr (i32.shl (local.get $r) (i32.const 3)))
    (local.set $xo (local.get $x))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $cl (i32.const 0))
        (local.set $wo (local.get $w))
        ;; Two classes per step: two independent sums share each load of the rows (one class's
        ;; chain of d dependent adds at a time left the CPU waiting on it); each sum's order unchanged.
        (block $cls2_done
          (loop $cls2
            (br_if $cls2_done (i32.ge_u (i32.add (local.get $cl) (i32.const 1)) (local.get $r)))
            (local.set $a (v128.load64_splat (i32.add (local.get $b) (i32.shl (local.get $cl) (i32.const 3)))))
            (local.set $a2 (v128.load64_splat (i32.add (local.get $b) (i32.shl (i32.add (local.get $cl) (i32.const 1)) (i32.const 3)))))
            (local.set $jb (i32.const 0))
            (block $feat2_done
              (loop $feat2
                (br_if $feat2_done (i32.ge_u (local.get $jb) (local.get $cb)))
                (local.set $xv (v128.load (i32.add (local.get $xo) (i32.shl (local.get $jb) (i32.const 1)))))
                (local.set $a (f64x2.add (local.get $a) (f64x2.mul (local.get $xv) (v128.load64_splat (i32.add (local.get $wo) (local.get $jb))))))
                (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $xv) (v128.load64_splat (i32.add (i32.add (local.get $wo) (local.get $cb)) (local.get $jb))))))
                (local.set $jb (i32.add (local.get $jb) (i32.const 8)))
                (br $feat2)))
            (f64.store (i32.add (local.get $z) (i32.shl (local.get $cl) (i32.const 3))) (f64x2.extract_lane 0 (local.get $a)))
            (f64.store (i32.add (i32.add (local.get $z) (local.get $zr)) (i32.shl (local.get $cl) (i32.const 3))) (f64x2.extract_lane 1 (local.get $a)))
            (f64.store offset=8 (i32.add (local.get $z) (i32.shl (local.get $cl) (i32.const 3))) (f64x2.extract_lane 0 (local.get $a2)))
            (f64.store offset=8 (i32.add (i32.add (local.get $z) (local.get $zr)) (i32.shl (local.get $cl) (i32.const 3))) (f64x2.extract_lane 1 (local.get $a2)))
            (local.set $wo (i32.add (local.get $wo) (i32.shl (local.get $cb) (i32.const 1))))
            (local.set $cl (i32.add (local.get $cl) (i32.const 2)))
            (br $cls2)))
        (block $cls_done
          (loop $cls
            (br_if $cls_done (i32.ge_u (local.get $cl) (local.get $r)))
            (local.set $a (v128.load64_splat (i32.add (local.get $b) (i32.shl (local.get $cl) (i32.const 3)))))
            (local.set $jb (i32.const 0))
            (block $feat_done
              (loop $feat
                (br_if $feat_done (i32.ge_u (local.get $jb) (local.get $cb)))
                (local.set $a (f64x2.add (local.get $a)
                  (f64x2.mul (v128.load (i32.add (local.get $xo) (i32.shl (local.get $jb) (i32.const 1))))
                    (v128.load64_splat (i32.add (local.get $wo) (local.get $jb))))))
                (local.set $jb (i32.add (local.get $jb) (i32.const 8)))
                (br $feat)))
            (f64.store (i32.add (local.get $z) (i32.shl (local.get $cl) (i32.const 3))) (f64x2.extract_lane 0 (local.get $a)))
            (f64.store (i32.add (i32.add (local.get $z) (local.get $zr)) (i32.shl (local.get $cl) (i32.const 3))) (f64x2.extract_lane 1 (local.get $a)))
            (local.set $wo (i32.add (local.get $wo) (local.get $cb)))
            (local.set $cl (i32.add (local.get $cl) (i32.const 1)))
            (br $cls)))
        (local.set $z (i32.add (local.get $z) (i32.shl (local.get $zr) (i32.const 1))))
        (local.set $xo (i32.add (local.get $xo) (i32.shl (local.get $cb) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $rows)))
    )

  ;; g_cj += res[i·r + c]·x_ij over the rows in row order (the zero row's res must be 0).
  (func (export "lr_xtr")
    (param $x i32) (param $n i32) (param $d i32) (param $res i32) (param $r i32) (param $g i32)
    (local $cb i32) (local $i i32) (local $xo i32) (local $cl i32) (local $go i32) (local $jb i32)
    (local $rv v128) (local $m v128) (local $zr i32) (local $s f64) (local $r0 v128) (local $r1 v128) (local $pa v128) (local $pb v128)
    (local.set $cb (i32.shl (local.get $d) (i32.const 3)))
    (local.set $zr (i32.shl (local.get $r) (i32.const 3)))
    (local.set $xo (local.get $x))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $cl (i32.const 0))
        (local.set $go (local.get $g))
        (block $cls_done
          (loop $cls
            (br_if $cls_done (i32.ge_u (local.get $cl) (local.get $r)))
            (local.set $rv (f64x2.replace_lane 1
              (v128.load64_splat (i32.add (local.get $res) (i32.shl (local.get $cl) (i32.const 3))))
              (f64.load (i32.add (i32.add (local.get $res) (local.get $zr)) (i32.shl (local.get $cl) (i32.const 3))))))
            ;; Two features per step: the pair vectors of features j and j+1 shuffled into the first
            ;; row's [x_j, x_j+1] and the second's, so each lane adds its own feature's terms in row
            ;; order (as logistic.wat's gradient); an odd d's last feature as before.
            (local.set $r0 (f64x2.splat (f64x2.extract_lane 0 (local.get $rv))))
            (local.set $r1 (f64x2.splat (f64x2.extract_lane 1 (local.get $rv))))
            (local.set $jb (i32.const 0))
            (block $feat_done
              (loop $feat
                (br_if $feat_done (i32.ge_u (i32.add (local.get $jb) (i32.const 8)) (local.get $cb)))
                (local.set $pa (v128.load (i32.add (local.get $xo) (i32.shl (local.get $jb) (i32.const 1)))))
                (local.set $pb (v128.load offset=16 (i32.add (local.get $xo) (i32.shl (local.get $jb) (i32.const 1)))))
                (v128.store (i32.add (local.get $go) (local.get $jb))
                  (f64x2.add
                    (f64x2.add (v128.load (i32.add (local.get $go) (local.get $jb)))
                      (f64x2.mul (local.get $r0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $pa) (local.get $pb))))
                    (f64x2.mul (local.get $r1) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $pa) (local.get $pb)))))
                (local.set $jb (i32.add (local.get $jb) (i32.const 16)))
                (br $feat)))
            (if (i32.lt_u (local.get $jb) (local.get $cb)) (then
              (local.set $m (f64x2.mul (local.get $rv) (v128.load (i32.add (local.get $xo) (i32.shl (local.get $jb) (i32.const 1))))))
              (local.set $s (f64.add (f64.load (i32.add (local.get $go) (local.get $jb))) (f64x2.extract_lane 0 (local.get $m))))
              (f64.store (i32.add (local.get $go) (local.get $jb)) (f64.add (local.get $s) (f64x2.extract_lane 1 (local.get $m))))))
            (local.set $go (i32.add (local.get $go) (local.get $cb)))
            (local.set $cl (i32.add (local.get $cl) (i32.const 1)))
            (br $cls)))
        (local.set $res (i32.add (local.get $res) (i32.shl (local.get $zr) (i32.const 1))))
        (local.set $xo (i32.add (local.get $xo) (i32.shl (local.get $cb) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $rows)))
    )

  ;; out_j += Σ_i f(x_ij − mean_j), rows in order, f(v) = v² when sq else v (mean 0 then: x − 0 is x):
  ;; a column's sum, or its sum of squared deviations. The zero row of an odd n is skipped.
  (func (export "col_acc")
    (param $x i32) (param $n i32) (param $d i32) (param $mean i32) (param $out i32) (param $sq i32)
    (local $cb i32) (local $i i32) (local $xo i32) (local $jb i32) (local $v v128) (local $s f64) (local $two i32)
    (local.set $cb (i32.shl (local.get $d) (i32.const 3)))
    (local.set $xo (local.get $x))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $two (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)))
        (local.set $jb (i32.const 0))
        (block $feat_done
          (loop $feat
            (br_if $feat_done (i32.ge_u (local.get $jb) (local.get $cb)))
            (local.set $v (f64x2.sub (v128.load (i32.add (local.get $xo) (i32.shl (local.get $jb) (i32.const 1))))
              (v128.load64_splat (i32.add (local.get $mean) (local.get $jb)))))
            (if (local.get $sq) (then (local.set $v (f64x2.mul (local.get $v) (local.get $v)))))
            (local.set $s (f64.add (f64.load (i32.add (local.get $out) (local.get $jb))) (f64x2.extract_lane 0 (local.get $v))))
            (if (local.get $two) (then (local.set $s (f64.add (local.get $s) (f64x2.extract_lane 1 (local.get $v))))))
            (f64.store (i32.add (local.get $out) (local.get $jb)) (local.get $s))
            (local.set $jb (i32.add (local.get $jb) (i32.const 8)))
            (br $feat)))
        (local.set $xo (i32.add (local.get $xo) (i32.shl (local.get $cb) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $rows)))
    )

  ;; k-means++'s candidates, 4 at once: for the 4 centres at cand (interleaved by feature as
  ;; km_assign's groups: [c0_j, c1_j, c2_j, c3_j] at +j·32), out_t[i] = min(closest[i], ‖x_i − c_t‖²)
  ;; (out_t at o0 .. o3; the squared distance summed in feature order, as pp_dist) and
  ;; pots[t] += Σ_i out_t[i] in row order: each candidate's figures are pp_dist's, bit for bit, with
  ;; one pass over the rows for the four.
  ;; Two pairs of rows (4 rows) go through the 4 candidates together, as km_assign's groups: 8
  ;; independent sums per step and each candidate's splat serving both pairs; a last lone pair runs
  ;; as its own twin (the twin's results are dropped).
  (func (export "pp_trials")
    (param $x i32) (param $n i32) (param $d i32) (param $cand i32) (param $closest i32)
    (param $o0 i32) (param $o1 i32) (param $o2 i32) (param $o3 i32) (param $pots i32)
    (local $i i32) (local $xo i32) (local $xq i32) (local $xp i32) (local $xp1 i32) (local $cp i32) (local $cend i32) (local $o i32)
    (local $xv v128) (local $xv1 v128) (local $c v128) (local $t v128) (local $cl v128)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $b0 v128) (local $b1 v128) (local $b2 v128) (local $b3 v128)
    (local $p0 f64) (local $p1 f64) (local $p2 f64) (local $p3 f64)
    (local.set $xo (local.get $x))
    (local.set $cend (i32.add (local.get $cand) (i32.shl (local.get $d) (i32.const 5))))
    ;; Each candidate's sum continues from the value in pots (0 for one set of rows; a previous
    ;; set's sum when the rows come in several sets, so the sum runs in row order across them).
    (local.set $p0 (f64.load (local.get $pots)))
    (local.set $p1 (f64.load offset=8 (local.get $pots)))
    (local.set $p2 (f64.load offset=16 (local.get $pots)))
    (local.set $p3 (f64.load offset=24 (local.get $pots)))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $n)))
        ;; the second pair: the next one, or this one again when it is the last
        (local.set $xq (select (i32.add (local.get $xo) (i32.shl (local.get $d) (i32.const 4))) (local.get $xo)
          (i32.lt_u (i32.add (local.get $i) (i32.const 2)) (local.get $n))))
        (local.set $a0 (v128.const f64x2 0 0)) (local.set $a1 (v128.const f64x2 0 0))
        (local.set $a2 (v128.const f64x2 0 0)) (local.set $a3 (v128.const f64x2 0 0))
        (local.set $b0 (v128.const f64x2 0 0)) (local.set $b1 (v128.const f64x2 0 0))
        (local.set $b2 (v128.const f64x2 0 0)) (local.set $b3 (v128.const f64x2 0 0))
        (local.set $xp (local.get $xo))
        (local.set $xp1 (local.get $xq))
        (local.set $cp (local.get $cand))
        (loop $feat
          (local.set $xv (v128.load (local.get $xp)))
          (local.set $xv1 (v128.load (local.get $xp1)))
          (local.set $c (v128.load64_splat (local.get $cp)))
          (local.set $t (f64x2.sub (local.get $xv) (local.get $c)))
          (local.set $a0 (f64x2.add (local.get $a0) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $t (f64x2.sub (local.get $xv1) (local.get $c)))
          (local.set $b0 (f64x2.add (local.get $b0) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $c (v128.load64_splat offset=8 (local.get $cp)))
          (local.set $t (f64x2.sub (local.get $xv) (local.get $c)))
          (local.set $a1 (f64x2.add (local.get $a1) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $t (f64x2.sub (local.get $xv1) (local.get $c)))
          (local.set $b1 (f64x2.add (local.get $b1) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $c (v128.load64_splat offset=16 (local.get $cp)))
          (local.set $t (f64x2.sub (local.get $xv) (local.get $c)))
          (local.set $a2 (f64x2.add (local.get $a2) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $t (f64x2.sub (local.get $xv1) (local.get $c)))
          (local.set $b2 (f64x2.add (local.get $b2) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $c (v128.load64_splat offset=24 (local.get $cp)))
          (local.set $t (f64x2.sub (local.get $xv) (local.get $c)))
          (local.set $a3 (f64x2.add (local.get $a3) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $t (f64x2.sub (local.get $xv1) (local.get $c)))
          (local.set $b3 (f64x2.add (local.get $b3) (f64x2.mul (local.get $t) (local.get $t))))
          (local.set $xp (i32.add (local.get $xp) (i32.const 16)))
          (local.set $xp1 (i32.add (local.get $xp1) (i32.const 16)))
          (local.set $cp (i32.add (local.get $cp) (i32.const 32)))
          (br_if $feat (i32.lt_u (local.get $cp) (local.get $cend))))
        ;; the first pair: rows i, i + 1
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $cl (v128.load (i32.add (local.get $closest) (local.get $o))))
        (local.set $a0 (f64x2.min (local.get $cl) (local.get $a0)))
        (local.set $a1 (f64x2.min (local.get $cl) (local.get $a1)))
        (local.set $a2 (f64x2.min (local.get $cl) (local.get $a2)))
        (local.set $a3 (f64x2.min (local.get $cl) (local.get $a3)))
        (v128.store (i32.add (local.get $o0) (local.get $o)) (local.get $a0))
        (v128.store (i32.add (local.get $o1) (local.get $o)) (local.get $a1))
        (v128.store (i32.add (local.get $o2) (local.get $o)) (local.get $a2))
        (v128.store (i32.add (local.get $o3) (local.get $o)) (local.get $a3))
        (local.set $p0 (f64.add (local.get $p0) (f64x2.extract_lane 0 (local.get $a0))))
        (local.set $p1 (f64.add (local.get $p1) (f64x2.extract_lane 0 (local.get $a1))))
        (local.set $p2 (f64.add (local.get $p2) (f64x2.extract_lane 0 (local.get $a2))))
        (local.set $p3 (f64.add (local.get $p3) (f64x2.extract_lane 0 (local.get $a3))))
        (if (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $n))
          (then
            (local.set $p0 (f64.add (local.get $p0) (f64x2.extract_lane 1 (local.get $a0))))
            (local.set $p1 (f64.add (local.get $p1) (f64x2.extract_lane 1 (local.get $a1))))
            (local.set $p2 (f64.add (local.get $p2) (f64x2.extract_lane 1 (local.get $a2))))
            (local.set $p3 (f64.add (local.get $p3) (f64x2.extract_lane 1 (local.get $a3))))))
        ;; the second pair: rows i + 2, i + 3, unless it is the twin
        (if (i32.lt_u (i32.add (local.get $i) (i32.const 2)) (local.get $n))
          (then
            (local.set $o (i32.add (local.get $o) (i32.const 16)))
            (local.set $cl (v128.load (i32.add (local.get $closest) (local.get $o))))
            (local.set $b0 (f64x2.min (local.get $cl) (local.get $b0)))
            (local.set $b1 (f64x2.min (local.get $cl) (local.get $b1)))
            (local.set $b2 (f64x2.min (local.get $cl) (local.get $b2)))
            (local.set $b3 (f64x2.min (local.get $cl) (local.get $b3)))
            (v128.store (i32.add (local.get $o0) (local.get $o)) (local.get $b0))
            (v128.store (i32.add (local.get $o1) (local.get $o)) (local.get $b1))
            (v128.store (i32.add (local.get $o2) (local.get $o)) (local.get $b2))
            (v128.store (i32.add (local.get $o3) (local.get $o)) (local.get $b3))
            (local.set $p0 (f64.add (local.get $p0) (f64x2.extract_lane 0 (local.get $b0))))
            (local.set $p1 (f64.add (local.get $p1) (f64x2.extract_lane 0 (local.get $b1))))
            (local.set $p2 (f64.add (local.get $p2) (f64x2.extract_lane 0 (local.get $b2))))
            (local.set $p3 (f64.add (local.get $p3) (f64x2.extract_lane 0 (local.get $b3))))
            (if (i32.lt_u (i32.add (local.get $i) (i32.const 3)) (local.get $n))
              (then
                (local.set $p0 (f64.add (local.get $p0) (f64x2.extract_lane 1 (local.get $b0))))
                (local.set $p1 (f64.add (local.get $p1) (f64x2.extract_lane 1 (local.get $b1))))
                (local.set $p2 (f64.add (local.get $p2) (f64x2.extract_lane 1 (local.get $b2))))
                (local.set $p3 (f64.add (local.get $p3) (f64x2.extract_lane 1 (local.get $b3))))))))
        (local.set $xo (i32.add (local.get $xo) (i32.shl (local.get $d) (i32.const 5))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $rows)))
    (f64.store (local.get $pots) (local.get $p0))
    (f64.store offset=8 (local.get $pots) (local.get $p1))
    (f64.store offset=16 (local.get $pots) (local.get $p2))
    (f64.store offset=24 (local.get $pots) (local.get $p3)))

  ;; k-means++'s cumulative D²: out[i] = acc + src[0] + ... + src[i] for n f64, added in row order;
  ;; returns the last (acc when n = 0). In the kernels, not in JS: a JS loop over the rows called a
  ;; few times a fit runs unoptimised code in a thread's first fits.
  (func (export "pp_cumsum")
    (param $src i32) (param $n i32) (param $out i32) (param $acc f64) (result f64)
    (local $i i32) (local $o i32)
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $o (i32.shl (local.get $i) (i32.const 3)))
        (local.set $acc (f64.add (local.get $acc) (f64.load (i32.add (local.get $src) (local.get $o)))))
        (f64.store (i32.add (local.get $out) (local.get $o)) (local.get $acc))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows)))
    (local.get $acc))

  ;; k-means++: out[i] = min(closest[i], ‖x_i − c‖²) (the squared distance summed in feature order)
  ;; for n rows and one centre (d f64 at c); returns pot + Σ out[i], added in row order.
  (func (export "pp_dist")
    (param $x i32) (param $n i32) (param $d i32) (param $c i32) (param $closest i32) (param $out i32) (param $pot f64) (result f64)
    (local $cb i32) (local $i i32) (local $xo i32) (local $jb i32) (local $a v128) (local $t v128) (local $v f64)
    (local.set $cb (i32.shl (local.get $d) (i32.const 3)))
    (local.set $xo (local.get $x))
    (block $rows_done
      (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $a (v128.const f64x2 0 0))
        (local.set $jb (i32.const 0))
        (block $feat_done
          (loop $feat
            (br_if $feat_done (i32.ge_u (local.get $jb) (local.get $cb)))
            (local.set $t (f64x2.sub (v128.load (i32.add (local.get $xo) (i32.shl (local.get $jb) (i32.const 1))))
              (v128.load64_splat (i32.add (local.get $c) (local.get $jb)))))
            (local.set $a (f64x2.add (local.get $a) (f64x2.mul (local.get $t) (local.get $t))))
            (local.set $jb (i32.add (local.get $jb) (i32.const 8)))
            (br $feat)))
        (local.set $v (f64.min (f64.load (i32.add (local.get $closest) (i32.shl (local.get $i) (i32.const 3)))) (f64x2.extract_lane 0 (local.get $a))))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 3))) (local.get $v))
        (local.set $pot (f64.add (local.get $pot) (local.get $v)))
        (if (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $n))
          (then
            (local.set $v (f64.min (f64.load (i32.add (local.get $closest) (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 3)))) (f64x2.extract_lane 1 (local.get $a))))
            (f64.store (i32.add (local.get $out) (i32.shl (i32.add (local.get $i) (i32.const 1)) (i32.const 3))) (local.get $v))
            (local.set $pot (f64.add (local.get $pot) (local.get $v)))))
        (local.set $xo (i32.add (local.get $xo) (i32.shl (local.get $cb) (i32.const 1))))
        (local.set $i (i32.add (local.get $i) (i32.const 2)))
        (br $rows)))
    (local.get $pot))
)
