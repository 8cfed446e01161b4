;; The binary logistic loss and its gradient in one pass over the rows, WebAssembly SIMD (f64x2),
;; assembled by ml/kernels/build.mjs into logistic-wasm.ts. Rows are stored as in kernels.wat: in
;; interleaved pairs (lane 0 = row 2b, lane 1 = row 2b+1, [x_2b,j, x_2b+1,j] at x + b·d·16 + j·16),
;; so each lane computes its row's margin in feature order; e^t and log1p run on both lanes at once
;; with the operations of ml/kernels/logistic-math.ts (fdlibm's exp and log1p reductions and
;; polynomials), which the JS fallback and ml/logreg/loss.ts run in scalar: the results are
;; bit-identical. The loss and the gradient are summed in row order, as the scalar loop does.
;; Offsets are in bytes.
(module
  (memory (export "memory") 1)

  ;; For n rows (an odd n's last block holds a zero row in lane 1, skipped) with targets y (nPad
  ;; f64, 0 or 1), weights w (d f64) and bias b: z_i = b + Σ_j x_ij·w_j; returns Σ loss_i,
  ;; loss_i = max(z_i, 0) + log1p(e^−|z_i|) − y_i·z_i; adds Σ (σ(z_i) − y_i)·x_ij to g_j (d f64 at
  ;; g) and Σ (σ(z_i) − y_i) to the f64 at g + d·8, in row order. Blocks of 64 row pairs go through
  ;; three loops (margins, then loss and residuals, then the gradient) with the pairs' margins and
  ;; residuals at tmp (64 × 16 bytes): each loop's iterations are independent, so the CPU overlaps
  ;; them, where one pair's long chain (margin, e^t, log1p) at a time left it waiting; the loss
  ;; loop also takes two pairs per step with their instructions interleaved (400,000 × 16: 13 → 9.5
  ;; ms CPU a pass), the results summed in row order as before.
  (func (export "lr_bin")
    (param $x i32) (param $n i32) (param $d i32) (param $y i32) (param $w i32) (param $b f64) (param $g i32) (param $tmp i32) (result f64)
    (local $cb i32) (local $i i32) (local $xo i32) (local $jb i32)
    (local $a v128) (local $t v128) (local $k v128) (local $hi v128) (local $lo v128) (local $r v128) (local $r2 v128)
    (local $c v128) (local $e v128) (local $u v128) (local $big v128) (local $f v128) (local $cc v128) (local $kk v128)
    (local $hfsq v128) (local $s v128) (local $z v128) (local $rr v128) (local $lv v128) (local $yv v128) (local $res v128)
    (local $m v128) (local $r0 v128) (local $r1 v128) (local $pa v128) (local $pb v128) (local $loss f64) (local $gb f64) (local $gs f64) (local $go i32)
    (local $aB v128) (local $tB v128) (local $kB v128) (local $hiB v128) (local $loB v128) (local $rB v128) (local $r2B v128) (local $cB v128) (local $eB v128) (local $uB v128) (local $bigB v128) (local $fB v128) (local $ccB v128) (local $kkB v128) (local $hfsqB v128) (local $sB v128) (local $zB v128) (local $rrB v128) (local $lvB v128) (local $yvB v128) (local $resB v128) (local $i0 i32) (local $i1 i32) (local $x0 i32) (local $tp i32)
    (local.set $cb (i32.shl (local.get $d) (i32.const 3)))
    (local.set $x0 (local.get $x))
    (block $blocks_done
      (loop $blocks
        (br_if $blocks_done (i32.ge_u (local.get $i0) (local.get $n)))
        (local.set $i1 (i32.add (local.get $i0) (i32.const 128)))
        (if (i32.gt_u (local.get $i1) (local.get $n)) (then (local.set $i1 (local.get $n))))
        ;; 1. the margins of the block's pairs, features in order
        (local.set $i (local.get $i0))
        (local.set $xo (local.get $x0))
        (local.set $tp (local.get $tmp))
        (block $m_done
          (loop $margins
            (br_if $m_done (i32.ge_u (local.get $i) (local.get $i1)))
            (local.set $a (f64x2.splat (local.get $b)))
            (local.set $jb (i32.const 0))
            (block $f1_done
              (loop $f1
                (br_if $f1_done (i32.ge_u (local.get $jb) (local.get $cb)))
                (local.set $a (f64x2.add (local.get $a)
                  (f64x2.mul (v128.load (i32.add (local.get $xo) (i32.shl (local.get $jb) (i32.const 1))))
                    (v128.load64_splat (i32.add (local.get $w) (local.get $jb))))))
                (local.set $jb (i32.add (local.get $jb) (i32.const 8)))
                (br $f1)))
            (v128.store (local.get $tp) (local.get $a))
            (local.set $tp (i32.add (local.get $tp) (i32.const 16)))
            (local.set $xo (i32.add (local.get $xo) (i32.shl (local.get $cb) (i32.const 1))))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $margins)))
        ;; 2. loss and residuals, rows in order; the residuals replace the margins at tmp
        (local.set $i (local.get $i0))
        (local.set $tp (local.get $tmp))
        ;; two pairs at a time, their steps interleaved (independent chains the CPU runs side by side)
        (block $l2_done
          (loop $losses2
            (br_if $l2_done (i32.ge_u (i32.add (local.get $i) (i32.const 2)) (local.get $i1)))
            (local.set $a (v128.load (local.get $tp)))
            (local.set $aB (v128.load offset=16 (local.get $tp)))
            (local.set $t (f64x2.pmax (v128.const f64x2 -708 -708) (f64x2.neg (f64x2.abs (local.get $a)))))
            (local.set $tB (f64x2.pmax (v128.const f64x2 -708 -708) (f64x2.neg (f64x2.abs (local.get $aB)))))
            (local.set $k (f64x2.sub
              (f64x2.add (f64x2.mul (local.get $t) (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
                (v128.const f64x2 6755399441055744 6755399441055744))
              (v128.const f64x2 6755399441055744 6755399441055744)))
            (local.set $kB (f64x2.sub
              (f64x2.add (f64x2.mul (local.get $tB) (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
                (v128.const f64x2 6755399441055744 6755399441055744))
              (v128.const f64x2 6755399441055744 6755399441055744)))
            (local.set $hi (f64x2.sub (local.get $t) (f64x2.mul (local.get $k) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
            (local.set $hiB (f64x2.sub (local.get $tB) (f64x2.mul (local.get $kB) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
            (local.set $lo (f64x2.mul (local.get $k) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
            (local.set $loB (f64x2.mul (local.get $kB) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
            (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
            (local.set $rB (f64x2.sub (local.get $hiB) (local.get $loB)))
            (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
            (local.set $r2B (f64x2.mul (local.get $rB) (local.get $rB)))
            (local.set $c (f64x2.sub (local.get $r) (f64x2.mul (local.get $r2)
              (f64x2.add (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01) (f64x2.mul (local.get $r2)
              (f64x2.add (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03) (f64x2.mul (local.get $r2)
              (f64x2.add (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05) (f64x2.mul (local.get $r2)
              (f64x2.add (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06) (f64x2.mul (local.get $r2)
                (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))))))))))))
            (local.set $cB (f64x2.sub (local.get $rB) (f64x2.mul (local.get $r2B)
              (f64x2.add (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01) (f64x2.mul (local.get $r2B)
              (f64x2.add (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03) (f64x2.mul (local.get $r2B)
              (f64x2.add (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05) (f64x2.mul (local.get $r2B)
              (f64x2.add (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06) (f64x2.mul (local.get $r2B)
                (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))))))))))))
            (local.set $e (f64x2.mul
              (f64x2.sub (v128.const f64x2 1 1)
                (f64x2.sub
                  (f64x2.sub (local.get $lo) (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (v128.const f64x2 2 2) (local.get $c))))
                  (local.get $hi)))
              (i64x2.shl (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k))) (v128.const i64x2 1023 1023)) (i32.const 52))))
            (local.set $eB (f64x2.mul
              (f64x2.sub (v128.const f64x2 1 1)
                (f64x2.sub
                  (f64x2.sub (local.get $loB) (f64x2.div (f64x2.mul (local.get $rB) (local.get $cB)) (f64x2.sub (v128.const f64x2 2 2) (local.get $cB))))
                  (local.get $hiB)))
              (i64x2.shl (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $kB))) (v128.const i64x2 1023 1023)) (i32.const 52))))
            (local.set $u (f64x2.add (v128.const f64x2 1 1) (local.get $e)))
            (local.set $uB (f64x2.add (v128.const f64x2 1 1) (local.get $eB)))
            (local.set $big (f64x2.ge (local.get $u) (v128.const f64x2 1.4142135623730951 1.4142135623730951)))
            (local.set $bigB (f64x2.ge (local.get $uB) (v128.const f64x2 1.4142135623730951 1.4142135623730951)))
            (local.set $f (v128.bitselect
              (f64x2.sub (f64x2.mul (local.get $u) (v128.const f64x2 0.5 0.5)) (v128.const f64x2 1 1))
              (local.get $e) (local.get $big)))
            (local.set $fB (v128.bitselect
              (f64x2.sub (f64x2.mul (local.get $uB) (v128.const f64x2 0.5 0.5)) (v128.const f64x2 1 1))
              (local.get $eB) (local.get $bigB)))
            (local.set $cc (v128.bitselect
              (f64x2.div (f64x2.sub (local.get $e) (f64x2.sub (local.get $u) (v128.const f64x2 1 1))) (local.get $u))
              (v128.const f64x2 0 0) (local.get $big)))
            (local.set $ccB (v128.bitselect
              (f64x2.div (f64x2.sub (local.get $eB) (f64x2.sub (local.get $uB) (v128.const f64x2 1 1))) (local.get $uB))
              (v128.const f64x2 0 0) (local.get $bigB)))
            (local.set $kk (v128.bitselect (v128.const f64x2 1 1) (v128.const f64x2 0 0) (local.get $big)))
            (local.set $kkB (v128.bitselect (v128.const f64x2 1 1) (v128.const f64x2 0 0) (local.get $bigB)))
            (local.set $hfsq (f64x2.mul (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $f)) (local.get $f)))
            (local.set $hfsqB (f64x2.mul (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $fB)) (local.get $fB)))
            (local.set $s (f64x2.div (local.get $f) (f64x2.add (v128.const f64x2 2 2) (local.get $f))))
            (local.set $sB (f64x2.div (local.get $fB) (f64x2.add (v128.const f64x2 2 2) (local.get $fB))))
            (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
            (local.set $zB (f64x2.mul (local.get $sB) (local.get $sB)))
            (local.set $rr (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01) (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01) (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01) (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01) (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01) (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01) (f64x2.mul (local.get $z)
                (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01)))))))))))))))
            (local.set $rrB (f64x2.mul (local.get $zB)
              (f64x2.add (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01) (f64x2.mul (local.get $zB)
              (f64x2.add (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01) (f64x2.mul (local.get $zB)
              (f64x2.add (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01) (f64x2.mul (local.get $zB)
              (f64x2.add (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01) (f64x2.mul (local.get $zB)
              (f64x2.add (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01) (f64x2.mul (local.get $zB)
              (f64x2.add (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01) (f64x2.mul (local.get $zB)
                (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01)))))))))))))))
            (local.set $yv (v128.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $yvB (v128.load (i32.add (local.get $y) (i32.shl (i32.add (local.get $i) (i32.const 2)) (i32.const 3)))))
            (local.set $lv (f64x2.sub
              (f64x2.add (f64x2.pmax (v128.const f64x2 0 0) (local.get $a))
                (f64x2.sub (f64x2.mul (local.get $kk) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
                  (f64x2.sub
                    (f64x2.sub (local.get $hfsq)
                      (f64x2.add (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $rr)))
                        (f64x2.add (f64x2.mul (local.get $kk) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)) (local.get $cc))))
                    (local.get $f))))
              (f64x2.mul (local.get $yv) (local.get $a))))
            (local.set $lvB (f64x2.sub
              (f64x2.add (f64x2.pmax (v128.const f64x2 0 0) (local.get $aB))
                (f64x2.sub (f64x2.mul (local.get $kkB) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
                  (f64x2.sub
                    (f64x2.sub (local.get $hfsqB)
                      (f64x2.add (f64x2.mul (local.get $sB) (f64x2.add (local.get $hfsqB) (local.get $rrB)))
                        (f64x2.add (f64x2.mul (local.get $kkB) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)) (local.get $ccB))))
                    (local.get $fB))))
              (f64x2.mul (local.get $yvB) (local.get $aB))))
            (local.set $res (f64x2.sub
              (f64x2.div (v128.bitselect (v128.const f64x2 1 1) (local.get $e) (f64x2.ge (local.get $a) (v128.const f64x2 0 0))) (local.get $u))
              (local.get $yv)))
            (local.set $resB (f64x2.sub
              (f64x2.div (v128.bitselect (v128.const f64x2 1 1) (local.get $eB) (f64x2.ge (local.get $aB) (v128.const f64x2 0 0))) (local.get $uB))
              (local.get $yvB)))
            (local.set $loss (f64.add (local.get $loss) (f64x2.extract_lane 0 (local.get $lv))))
            (local.set $gb (f64.add (local.get $gb) (f64x2.extract_lane 0 (local.get $res))))
            (local.set $loss (f64.add (local.get $loss) (f64x2.extract_lane 1 (local.get $lv))))
            (local.set $gb (f64.add (local.get $gb) (f64x2.extract_lane 1 (local.get $res))))
            (local.set $loss (f64.add (local.get $loss) (f64x2.extract_lane 0 (local.get $lvB))))
            (local.set $gb (f64.add (local.get $gb) (f64x2.extract_lane 0 (local.get $resB))))
            (if (i32.lt_u (i32.add (local.get $i) (i32.const 3)) (local.get $n)) (then
              (local.set $loss (f64.add (local.get $loss) (f64x2.extract_lane 1 (local.get $lvB))))
              (local.set $gb (f64.add (local.get $gb) (f64x2.extract_lane 1 (local.get $resB))))))
            (v128.store (local.get $tp) (local.get $res))
            (v128.store offset=16 (local.get $tp) (local.get $resB))
            (local.set $tp (i32.add (local.get $tp) (i32.const 32)))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $losses2)))
        (block $l_done
          (loop $losses
            (br_if $l_done (i32.ge_u (local.get $i) (local.get $i1)))
            (local.set $a (v128.load (local.get $tp)))
            ;; e = e^t, t = max(−|z|, −708): t = k·ln2 + r, k = t/ln2 rounded half to even (1.5·2^52 added and taken off)
            (local.set $t (f64x2.pmax (v128.const f64x2 -708 -708) (f64x2.neg (f64x2.abs (local.get $a)))))
            (local.set $k (f64x2.sub
              (f64x2.add (f64x2.mul (local.get $t) (v128.const f64x2 1.44269504088896338700e+00 1.44269504088896338700e+00))
                (v128.const f64x2 6755399441055744 6755399441055744))
              (v128.const f64x2 6755399441055744 6755399441055744)))
            (local.set $hi (f64x2.sub (local.get $t) (f64x2.mul (local.get $k) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))))
            (local.set $lo (f64x2.mul (local.get $k) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)))
            (local.set $r (f64x2.sub (local.get $hi) (local.get $lo)))
            (local.set $r2 (f64x2.mul (local.get $r) (local.get $r)))
            (local.set $c (f64x2.sub (local.get $r) (f64x2.mul (local.get $r2)
              (f64x2.add (v128.const f64x2 1.66666666666666019037e-01 1.66666666666666019037e-01) (f64x2.mul (local.get $r2)
              (f64x2.add (v128.const f64x2 -2.77777777770155933842e-03 -2.77777777770155933842e-03) (f64x2.mul (local.get $r2)
              (f64x2.add (v128.const f64x2 6.61375632143793436117e-05 6.61375632143793436117e-05) (f64x2.mul (local.get $r2)
              (f64x2.add (v128.const f64x2 -1.65339022054652515390e-06 -1.65339022054652515390e-06) (f64x2.mul (local.get $r2)
                (v128.const f64x2 4.13813679705723846039e-08 4.13813679705723846039e-08))))))))))))
            ;; e^r = 1 − ((lo − r·c/(2 − c)) − hi), times 2^k built from k's bits (k ∈ [−1022, 0])
            (local.set $e (f64x2.mul
              (f64x2.sub (v128.const f64x2 1 1)
                (f64x2.sub
                  (f64x2.sub (local.get $lo) (f64x2.div (f64x2.mul (local.get $r) (local.get $c)) (f64x2.sub (v128.const f64x2 2 2) (local.get $c))))
                  (local.get $hi)))
              (i64x2.shl (i64x2.add (i64x2.extend_low_i32x4_s (i32x4.trunc_sat_f64x2_s_zero (local.get $k))) (v128.const i64x2 1023 1023)) (i32.const 52))))
            ;; log1p(e), u = 1 + e: below √2 log(1 + f) with f = e exactly; from √2 up k = 1, f = u/2 − 1 and
            ;; c = (e − (u − 1))/u corrects u's rounding; then fdlibm's log kernel, s = f/(2 + f)
            (local.set $u (f64x2.add (v128.const f64x2 1 1) (local.get $e)))
            (local.set $big (f64x2.ge (local.get $u) (v128.const f64x2 1.4142135623730951 1.4142135623730951)))
            (local.set $f (v128.bitselect
              (f64x2.sub (f64x2.mul (local.get $u) (v128.const f64x2 0.5 0.5)) (v128.const f64x2 1 1))
              (local.get $e) (local.get $big)))
            (local.set $cc (v128.bitselect
              (f64x2.div (f64x2.sub (local.get $e) (f64x2.sub (local.get $u) (v128.const f64x2 1 1))) (local.get $u))
              (v128.const f64x2 0 0) (local.get $big)))
            (local.set $kk (v128.bitselect (v128.const f64x2 1 1) (v128.const f64x2 0 0) (local.get $big)))
            (local.set $hfsq (f64x2.mul (f64x2.mul (v128.const f64x2 0.5 0.5) (local.get $f)) (local.get $f)))
            (local.set $s (f64x2.div (local.get $f) (f64x2.add (v128.const f64x2 2 2) (local.get $f))))
            (local.set $z (f64x2.mul (local.get $s) (local.get $s)))
            (local.set $rr (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 6.666666666666735130e-01 6.666666666666735130e-01) (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 3.999999999940941908e-01 3.999999999940941908e-01) (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 2.857142874366239149e-01 2.857142874366239149e-01) (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 2.222219843214978396e-01 2.222219843214978396e-01) (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 1.818357216161805012e-01 1.818357216161805012e-01) (f64x2.mul (local.get $z)
              (f64x2.add (v128.const f64x2 1.531383769920937332e-01 1.531383769920937332e-01) (f64x2.mul (local.get $z)
                (v128.const f64x2 1.479819860511658591e-01 1.479819860511658591e-01)))))))))))))))
            ;; loss = (max(z, 0) + log1p) − y·z
            (local.set $yv (v128.load (i32.add (local.get $y) (i32.shl (local.get $i) (i32.const 3)))))
            (local.set $lv (f64x2.sub
              (f64x2.add (f64x2.pmax (v128.const f64x2 0 0) (local.get $a))
                (f64x2.sub (f64x2.mul (local.get $kk) (v128.const f64x2 6.93147180369123816490e-01 6.93147180369123816490e-01))
                  (f64x2.sub
                    (f64x2.sub (local.get $hfsq)
                      (f64x2.add (f64x2.mul (local.get $s) (f64x2.add (local.get $hfsq) (local.get $rr)))
                        (f64x2.add (f64x2.mul (local.get $kk) (v128.const f64x2 1.90821492927058770002e-10 1.90821492927058770002e-10)) (local.get $cc))))
                    (local.get $f))))
              (f64x2.mul (local.get $yv) (local.get $a))))
            ;; residual σ(z) − y, σ(z) = (z ≥ 0 ? 1 : e) / (1 + e)
            (local.set $res (f64x2.sub
              (f64x2.div (v128.bitselect (v128.const f64x2 1 1) (local.get $e) (f64x2.ge (local.get $a) (v128.const f64x2 0 0))) (local.get $u))
              (local.get $yv)))
            (local.set $loss (f64.add (local.get $loss) (f64x2.extract_lane 0 (local.get $lv))))
            (local.set $gb (f64.add (local.get $gb) (f64x2.extract_lane 0 (local.get $res))))
            (if (i32.lt_u (i32.add (local.get $i) (i32.const 1)) (local.get $n)) (then
              (local.set $loss (f64.add (local.get $loss) (f64x2.extract_lane 1 (local.get $lv))))
              (local.set $gb (f64.add (local.get $gb) (f64x2.extract_lane 1 (local.get $res))))))
            (v128.store (local.get $tp) (local.get $res))
            (local.set $tp (i32.add (local.get $tp) (i32.const 16)))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $losses)))
        ;; 3. the gradient, rows in order
        (local.set $i (local.get $i0))
        (local.set $xo (local.get $x0))
        (local.set $tp (local.get $tmp))
        (block $g_done
          (loop $grads
            (br_if $g_done (i32.ge_u (local.get $i) (local.get $i1)))
            (local.set $res (v128.load (local.get $tp)))
            (local.set $r0 (f64x2.splat (f64x2.extract_lane 0 (local.get $res))))
            (local.set $r1 (f64x2.splat (f64x2.extract_lane 1 (local.get $res))))
            (local.set $jb (i32.const 0))
            (block $f2_done
              (loop $f2
                (br_if $f2_done (i32.ge_u (i32.add (local.get $jb) (i32.const 8)) (local.get $cb)))
                (local.set $pa (v128.load (i32.add (local.get $xo) (i32.shl (local.get $jb) (i32.const 1)))))
                (local.set $pb (v128.load offset=16 (i32.add (local.get $xo) (i32.shl (local.get $jb) (i32.const 1)))))
                (local.set $go (i32.add (local.get $g) (local.get $jb)))
                (v128.store (local.get $go)
                  (f64x2.add
                    (f64x2.add (v128.load (local.get $go))
                      (f64x2.mul (local.get $r0) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $pa) (local.get $pb))))
                    (f64x2.mul (local.get $r1) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $pa) (local.get $pb)))))
                (local.set $jb (i32.add (local.get $jb) (i32.const 16)))
                (br $f2)))
            ;; an odd d's last feature
            (if (i32.lt_u (local.get $jb) (local.get $cb)) (then
              (local.set $m (f64x2.mul (local.get $res) (v128.load (i32.add (local.get $xo) (i32.shl (local.get $jb) (i32.const 1))))))
              (local.set $go (i32.add (local.get $g) (local.get $jb)))
              (local.set $gs (f64.add (f64.load (local.get $go)) (f64x2.extract_lane 0 (local.get $m))))
              (f64.store (local.get $go) (f64.add (local.get $gs) (f64x2.extract_lane 1 (local.get $m))))))
            (local.set $tp (i32.add (local.get $tp) (i32.const 16)))
            (local.set $xo (i32.add (local.get $xo) (i32.shl (local.get $cb) (i32.const 1))))
            (local.set $i (i32.add (local.get $i) (i32.const 2)))
            (br $grads)))
        (local.set $x0 (local.get $xo))
        (local.set $i0 (local.get $i1))
        (br $blocks)))
    (f64.store (i32.add (local.get $g) (local.get $cb)) (local.get $gb))
    (local.get $loss))
)
