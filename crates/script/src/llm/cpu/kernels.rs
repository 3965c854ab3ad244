//! The CPU kernels: quantised matrix × quantised activations, and the f32 helpers of attention.
//!
//! Chosen at run time ([`Isa::detect`]): AVX2+FMA+F16C kernels written with `std::arch`, or the
//! portable scalar reference. A weight row is multiplied with up to four tokens at once, so
//! during prefill each weight block is unpacked once and used four times.

use std::ops::Range;

use super::pool::SyncPtr;
use super::quant::{QActs, QMatrix, QType, dot_row_scalar};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Isa {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
}

impl Isa {
    pub(crate) fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") && std::is_x86_feature_detected!("f16c") {
                return Isa::Avx2;
            }
        }
        Isa::Scalar
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Isa::Scalar => "scalar",
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => "AVX2",
        }
    }
}

/// `out[t * stride + off + r] = W[r] · a[t]` for `r` in `rows` and every token `t` of `a`.
///
/// # Safety contract (upheld by callers)
/// `out` must be valid for those indices and no other thread may write them meanwhile.
pub(crate) fn gemm(isa: Isa, w: &QMatrix, a: &QActs, rows: Range<usize>, out: SyncPtr<f32>, stride: usize, off: usize) {
    debug_assert_eq!(w.cols, a.cols);
    debug_assert!(rows.end <= w.rows);
    let n = a.n;
    for r in rows {
        let row = w.row(r);
        let mut t0 = 0;
        while t0 < n {
            let left = n - t0;
            let mut vals = [0f32; 4];
            let k = match isa {
                #[cfg(target_arch = "x86_64")]
                Isa::Avx2 => {
                    // SAFETY: `Isa::Avx2` is only chosen when the CPU has AVX2, FMA and F16C; the
                    // row and activation slices have the sizes the kernels read.
                    unsafe {
                        if left >= 4 {
                            vals = avx2::tile::<4>(w.ty, row, a, t0);
                            4
                        } else if left >= 2 {
                            let v = avx2::tile::<2>(w.ty, row, a, t0);
                            vals[..2].copy_from_slice(&v);
                            2
                        } else {
                            vals[0] = avx2::tile::<1>(w.ty, row, a, t0)[0];
                            1
                        }
                    }
                }
                Isa::Scalar => {
                    let k = left.min(4);
                    for (j, v) in vals.iter_mut().enumerate().take(k) {
                        *v = dot_row_scalar(w.ty, row, a, t0 + j);
                    }
                    k
                }
            };
            for (j, v) in vals.iter().enumerate().take(k) {
                // SAFETY: see the function's contract.
                unsafe { *out.get().add((t0 + j) * stride + off + r) = *v };
            }
            t0 += k;
        }
    }
}

pub(crate) fn dot_f32(isa: Isa, a: &[f32], b: &[f32]) -> f32 {
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: AVX2/FMA present (see `Isa::detect`).
        Isa::Avx2 => unsafe { avx2::dot_f32(a, b) },
        Isa::Scalar => a.iter().zip(b).map(|(x, y)| x * y).sum(),
    }
}

/// `y += alpha * x`.
pub(crate) fn axpy(isa: Isa, alpha: f32, x: &[f32], y: &mut [f32]) {
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: AVX2/FMA present (see `Isa::detect`).
        Isa::Avx2 => unsafe { avx2::axpy(alpha, x, y) },
        Isa::Scalar => {
            for (y, x) in y.iter_mut().zip(x) {
                *y += alpha * x;
            }
        }
    }
}

/// One query head's attention over `ctx` cached positions: `out = softmax(scale · q·Kᵀ) V`.
/// `k` and `v` hold `ctx` rows of `q.len()` values; `scores` is scratch of at least `ctx`.
pub(crate) fn attend(isa: Isa, q: &[f32], k: &[f32], v: &[f32], ctx: usize, scale: f32, scores: &mut [f32], out: &mut [f32]) {
    let hd = q.len();
    debug_assert!(k.len() >= ctx * hd && v.len() >= ctx * hd && scores.len() >= ctx && out.len() >= hd);
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: AVX2/FMA present (see `Isa::detect`); the sizes are checked above.
        Isa::Avx2 if hd == 64 => unsafe { avx2::attend64(q, k, v, ctx, scale, scores, out) },
        _ => {
            let sc = &mut scores[..ctx];
            let mut max = f32::NEG_INFINITY;
            for (j, s) in sc.iter_mut().enumerate() {
                *s = dot_f32(isa, q, &k[j * hd..(j + 1) * hd]) * scale;
                max = max.max(*s);
            }
            let mut sum = 0.0;
            for s in sc.iter_mut() {
                *s = (*s - max).exp();
                sum += *s;
            }
            let out = &mut out[..hd];
            out.fill(0.0);
            let inv = 1.0 / sum;
            for (j, s) in sc.iter().enumerate() {
                axpy(isa, s * inv, &v[j * hd..(j + 1) * hd], out);
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    use std::arch::x86_64::*;

    use super::{QActs, QType};

    #[inline(always)]
    unsafe fn hsum(v: __m256) -> f32 {
        unsafe {
            let s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
            let s = _mm_add_ps(s, _mm_movehl_ps(s, s));
            let s = _mm_add_ss(s, _mm_movehdup_ps(s));
            _mm_cvtss_f32(s)
        }
    }

    #[inline(always)]
    unsafe fn f16(p: *const u8) -> f32 {
        unsafe {
            let bits = std::ptr::read_unaligned(p as *const u16);
            _mm_cvtss_f32(_mm_cvtph_ps(_mm_cvtsi32_si128(bits as i32)))
        }
    }

    /// 32 bits → 32 bytes of 0xFF (bit set) or 0x00, bit i to byte i.
    #[inline(always)]
    unsafe fn bits_to_bytes(x: u32) -> __m256i {
        unsafe {
            let spread = _mm256_shuffle_epi8(
                _mm256_set1_epi32(x as i32),
                _mm256_set_epi64x(0x0303030303030303, 0x0202020202020202, 0x0101010101010101, 0),
            );
            let sel = _mm256_set1_epi64x(0x8040201008040201u64 as i64);
            _mm256_cmpeq_epi8(_mm256_and_si256(spread, sel), sel)
        }
    }

    /// Σ over 32 lanes of unsigned `w` × signed `a`, as 8 i32 partial sums.
    #[inline(always)]
    unsafe fn udot(w: __m256i, a: __m256i) -> __m256i {
        unsafe { _mm256_madd_epi16(_mm256_maddubs_epi16(w, a), _mm256_set1_epi16(1)) }
    }

    /// Dot products of one weight row with tokens `t0..t0+T` of `a`.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn tile<const T: usize>(ty: QType, row: &[u8], a: &QActs, t0: usize) -> [f32; T] {
        debug_assert!(t0 + T <= a.n);
        unsafe {
            match ty {
                QType::Q4_0 => tile_q4_0::<T>(row, a, t0),
                QType::Q4_1 => tile_q4_1::<T>(row, a, t0),
                QType::Q5_0 => tile_q5_0::<T>(row, a, t0),
                QType::Q8_0 => tile_q8_0::<T>(row, a, t0),
                QType::Q4K => tile_q4k::<T>(row, a, t0),
                QType::Q6K => tile_q6k::<T>(row, a, t0),
            }
        }
    }

    struct Acts {
        qs: *const i8,
        d: *const f32,
        s: *const f32,
        cols: usize,
        nb: usize,
    }

    impl Acts {
        #[inline(always)]
        fn new(a: &QActs) -> Acts {
            Acts { qs: a.qs.as_ptr(), d: a.d.as_ptr(), s: a.s.as_ptr(), cols: a.cols, nb: a.cols / 32 }
        }
        #[inline(always)]
        unsafe fn q(&self, t: usize, blk: usize) -> __m256i {
            unsafe { _mm256_loadu_si256(self.qs.add(t * self.cols + blk * 32) as *const __m256i) }
        }
        #[inline(always)]
        unsafe fn d(&self, t: usize, blk: usize) -> f32 {
            unsafe { *self.d.add(t * self.nb + blk) }
        }
        #[inline(always)]
        unsafe fn s(&self, t: usize, blk: usize) -> f32 {
            unsafe { *self.s.add(t * self.nb + blk) }
        }
    }

    #[inline(always)]
    unsafe fn finish<const T: usize>(acc: [__m256; T], extra: [f32; T]) -> [f32; T] {
        let mut out = [0f32; T];
        for t in 0..T {
            out[t] = unsafe { hsum(acc[t]) } + extra[t];
        }
        out
    }

    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn tile_q4_1<const T: usize>(row: &[u8], a: &QActs, t0: usize) -> [f32; T] {
        unsafe {
            let a = Acts::new(a);
            let m4 = _mm256_set1_epi8(0x0F);
            let mut acc = [_mm256_setzero_ps(); T];
            let mut extra = [0f32; T];
            let p = row.as_ptr();
            for b in 0..row.len() / 20 {
                let blk = p.add(b * 20);
                let (d, m) = (f16(blk), f16(blk.add(2)));
                let raw = _mm_loadu_si128(blk.add(4) as *const __m128i);
                let q = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(raw, 4), raw), m4);
                for t in 0..T {
                    let s = udot(q, a.q(t0 + t, b));
                    acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d * a.d(t0 + t, b)), _mm256_cvtepi32_ps(s), acc[t]);
                    extra[t] += m * a.s(t0 + t, b);
                }
            }
            finish(acc, extra)
        }
    }

    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn tile_q4_0<const T: usize>(row: &[u8], a: &QActs, t0: usize) -> [f32; T] {
        unsafe {
            let a = Acts::new(a);
            let m4 = _mm256_set1_epi8(0x0F);
            let mut acc = [_mm256_setzero_ps(); T];
            let mut extra = [0f32; T];
            let p = row.as_ptr();
            for b in 0..row.len() / 18 {
                let blk = p.add(b * 18);
                let d = f16(blk);
                let raw = _mm_loadu_si128(blk.add(2) as *const __m128i);
                let q = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(raw, 4), raw), m4);
                for t in 0..T {
                    let s = udot(q, a.q(t0 + t, b));
                    acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d * a.d(t0 + t, b)), _mm256_cvtepi32_ps(s), acc[t]);
                    extra[t] -= 8.0 * d * a.s(t0 + t, b);
                }
            }
            finish(acc, extra)
        }
    }

    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn tile_q5_0<const T: usize>(row: &[u8], a: &QActs, t0: usize) -> [f32; T] {
        unsafe {
            let a = Acts::new(a);
            let m4 = _mm256_set1_epi8(0x0F);
            let b5 = _mm256_set1_epi8(0x10);
            let mut acc = [_mm256_setzero_ps(); T];
            let mut extra = [0f32; T];
            let p = row.as_ptr();
            for b in 0..row.len() / 22 {
                let blk = p.add(b * 22);
                let d = f16(blk);
                let qh = std::ptr::read_unaligned(blk.add(2) as *const u32);
                let raw = _mm_loadu_si128(blk.add(6) as *const __m128i);
                let q = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(raw, 4), raw), m4);
                let q = _mm256_or_si256(q, _mm256_and_si256(bits_to_bytes(qh), b5));
                for t in 0..T {
                    let s = udot(q, a.q(t0 + t, b));
                    acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d * a.d(t0 + t, b)), _mm256_cvtepi32_ps(s), acc[t]);
                    extra[t] -= 16.0 * d * a.s(t0 + t, b);
                }
            }
            finish(acc, extra)
        }
    }

    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn tile_q8_0<const T: usize>(row: &[u8], a: &QActs, t0: usize) -> [f32; T] {
        unsafe {
            let a = Acts::new(a);
            let mut acc = [_mm256_setzero_ps(); T];
            let p = row.as_ptr();
            for b in 0..row.len() / 34 {
                let blk = p.add(b * 34);
                let d = f16(blk);
                let q = _mm256_loadu_si256(blk.add(2) as *const __m256i);
                let qa = _mm256_sign_epi8(q, q);
                for t in 0..T {
                    let s = udot(qa, _mm256_sign_epi8(a.q(t0 + t, b), q));
                    acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d * a.d(t0 + t, b)), _mm256_cvtepi32_ps(s), acc[t]);
                }
            }
            finish(acc, [0.0; T])
        }
    }

    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn tile_q4k<const T: usize>(row: &[u8], a: &QActs, t0: usize) -> [f32; T] {
        unsafe {
            let a = Acts::new(a);
            let m4 = _mm256_set1_epi8(0x0F);
            let mut acc = [_mm256_setzero_ps(); T];
            let mut extra = [0f32; T];
            let p = row.as_ptr();
            for sb in 0..row.len() / 144 {
                let blk = p.add(sb * 144);
                let (d, dmin) = (f16(blk), f16(blk.add(2)));
                let scales = std::slice::from_raw_parts(blk.add(4), 12);
                let mut sc = [0f32; 8];
                let mut mn = [0f32; 8];
                for j in 0..8 {
                    let (s, m) = super::super::quant::q4k_scale_min(j, scales);
                    sc[j] = d * s as f32;
                    mn[j] = dmin * m as f32;
                }
                for c in 0..4 {
                    let raw = _mm256_loadu_si256(blk.add(16 + 32 * c) as *const __m256i);
                    let lo = _mm256_and_si256(raw, m4);
                    let hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), m4);
                    let (j0, j1) = (2 * c, 2 * c + 1);
                    let (b0, b1) = (sb * 8 + j0, sb * 8 + j1);
                    for t in 0..T {
                        let tt = t0 + t;
                        let s0 = udot(lo, a.q(tt, b0));
                        let s1 = udot(hi, a.q(tt, b1));
                        acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(sc[j0] * a.d(tt, b0)), _mm256_cvtepi32_ps(s0), acc[t]);
                        acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(sc[j1] * a.d(tt, b1)), _mm256_cvtepi32_ps(s1), acc[t]);
                        extra[t] -= mn[j0] * a.s(tt, b0) + mn[j1] * a.s(tt, b1);
                    }
                }
            }
            finish(acc, extra)
        }
    }

    #[target_feature(enable = "avx2,fma,f16c")]
    unsafe fn tile_q6k<const T: usize>(row: &[u8], a: &QActs, t0: usize) -> [f32; T] {
        unsafe {
            let a = Acts::new(a);
            let m4 = _mm256_set1_epi8(0x0F);
            let m03 = _mm256_set1_epi8(0x03);
            let m0c = _mm256_set1_epi8(0x0C);
            let m30 = _mm256_set1_epi8(0x30);
            let c32 = _mm256_set1_epi8(32);
            let mut acc = [_mm256_setzero_ps(); T];
            let p = row.as_ptr();
            for sb in 0..row.len() / 210 {
                let blk = p.add(sb * 210);
                let d = f16(blk.add(208));
                let sc = blk.add(192) as *const i8;
                for half in 0..2 {
                    let ql0 = _mm256_loadu_si256(blk.add(half * 64) as *const __m256i);
                    let ql1 = _mm256_loadu_si256(blk.add(half * 64 + 32) as *const __m256i);
                    let qh = _mm256_loadu_si256(blk.add(128 + half * 32) as *const __m256i);
                    let chunks = [
                        _mm256_or_si256(_mm256_and_si256(ql0, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m03), 4)),
                        _mm256_or_si256(_mm256_and_si256(ql1, m4), _mm256_slli_epi16(_mm256_and_si256(qh, m0c), 2)),
                        _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), m4), _mm256_and_si256(qh, m30)),
                        _mm256_or_si256(
                            _mm256_and_si256(_mm256_srli_epi16(ql1, 4), m4),
                            _mm256_and_si256(_mm256_srli_epi16(qh, 2), m30),
                        ),
                    ];
                    for (k, q) in chunks.into_iter().enumerate() {
                        let j = half * 4 + k;
                        let qc = _mm256_sub_epi8(q, c32);
                        let qabs = _mm256_sign_epi8(qc, qc);
                        let scv = _mm256_set_m128i(_mm_set1_epi16(*sc.add(2 * j + 1) as i16), _mm_set1_epi16(*sc.add(2 * j) as i16));
                        let blk_a = sb * 8 + j;
                        for t in 0..T {
                            let tt = t0 + t;
                            let prod = _mm256_maddubs_epi16(qabs, _mm256_sign_epi8(a.q(tt, blk_a), qc));
                            let s = _mm256_madd_epi16(prod, scv);
                            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d * a.d(tt, blk_a)), _mm256_cvtepi32_ps(s), acc[t]);
                        }
                    }
                }
            }
            finish(acc, [0.0; T])
        }
    }

    /// e^x for x ≤ 0 (softmax inputs), 8 lanes: 2^(x·log2 e) split into 2^n · 2^f, with a
    /// degree-6 polynomial for 2^f on [-0.5, 0.5] (relative error ~2e-7). Below -87 it is 0.
    #[inline(always)]
    unsafe fn exp_neg(x: __m256) -> __m256 {
        unsafe {
            let x = _mm256_max_ps(x, _mm256_set1_ps(-87.0));
            let t = _mm256_mul_ps(x, _mm256_set1_ps(std::f32::consts::LOG2_E));
            let n = _mm256_round_ps(t, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            let f = _mm256_sub_ps(t, n);
            // 2^f = e^(f ln 2), Taylor coefficients of e^y with y = f·ln 2.
            let y = _mm256_mul_ps(f, _mm256_set1_ps(std::f32::consts::LN_2));
            let mut p = _mm256_set1_ps(1.0 / 720.0);
            p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(1.0 / 120.0));
            p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(1.0 / 24.0));
            p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(1.0 / 6.0));
            p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(0.5));
            p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(1.0));
            p = _mm256_fmadd_ps(p, y, _mm256_set1_ps(1.0));
            let pow2n = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
            _mm256_mul_ps(p, _mm256_castsi256_ps(pow2n))
        }
    }

    /// `attend` for 64-wide heads: q and the output accumulator live in registers.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn attend64(q: &[f32], k: &[f32], v: &[f32], ctx: usize, scale: f32, scores: &mut [f32], out: &mut [f32]) {
        unsafe {
            let qp = q.as_ptr();
            let mut qv = [_mm256_setzero_ps(); 8];
            for (c, r) in qv.iter_mut().enumerate() {
                *r = _mm256_mul_ps(_mm256_loadu_ps(qp.add(8 * c)), _mm256_set1_ps(scale));
            }
            let (kp, sp) = (k.as_ptr(), scores.as_mut_ptr());
            let mut max = f32::NEG_INFINITY;
            for j in 0..ctx {
                let row = kp.add(j * 64);
                let mut a0 = _mm256_mul_ps(qv[0], _mm256_loadu_ps(row));
                let mut a1 = _mm256_mul_ps(qv[1], _mm256_loadu_ps(row.add(8)));
                a0 = _mm256_fmadd_ps(qv[2], _mm256_loadu_ps(row.add(16)), a0);
                a1 = _mm256_fmadd_ps(qv[3], _mm256_loadu_ps(row.add(24)), a1);
                a0 = _mm256_fmadd_ps(qv[4], _mm256_loadu_ps(row.add(32)), a0);
                a1 = _mm256_fmadd_ps(qv[5], _mm256_loadu_ps(row.add(40)), a1);
                a0 = _mm256_fmadd_ps(qv[6], _mm256_loadu_ps(row.add(48)), a0);
                a1 = _mm256_fmadd_ps(qv[7], _mm256_loadu_ps(row.add(56)), a1);
                let s = hsum(_mm256_add_ps(a0, a1));
                *sp.add(j) = s;
                max = max.max(s);
            }
            // Softmax weights, 8 at a time.
            let vmax = _mm256_set1_ps(max);
            let mut vsum = _mm256_setzero_ps();
            let mut j = 0;
            while j + 8 <= ctx {
                let e = exp_neg(_mm256_sub_ps(_mm256_loadu_ps(sp.add(j)), vmax));
                _mm256_storeu_ps(sp.add(j), e);
                vsum = _mm256_add_ps(vsum, e);
                j += 8;
            }
            let mut sum = hsum(vsum);
            while j < ctx {
                let e = (*sp.add(j) - max).exp();
                *sp.add(j) = e;
                sum += e;
                j += 1;
            }
            let inv = 1.0 / sum;
            let mut o = [_mm256_setzero_ps(); 8];
            let vp = v.as_ptr();
            for j in 0..ctx {
                let w = _mm256_set1_ps(*sp.add(j) * inv);
                let row = vp.add(j * 64);
                for (c, r) in o.iter_mut().enumerate() {
                    *r = _mm256_fmadd_ps(w, _mm256_loadu_ps(row.add(8 * c)), *r);
                }
            }
            let op = out.as_mut_ptr();
            for (c, r) in o.iter().enumerate() {
                _mm256_storeu_ps(op.add(8 * c), *r);
            }
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn dot_f32(a: &[f32], b: &[f32]) -> f32 {
        unsafe {
            let n = a.len().min(b.len());
            let (pa, pb) = (a.as_ptr(), b.as_ptr());
            let mut acc0 = _mm256_setzero_ps();
            let mut acc1 = _mm256_setzero_ps();
            let mut i = 0;
            while i + 16 <= n {
                acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), acc0);
                acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i + 8)), _mm256_loadu_ps(pb.add(i + 8)), acc1);
                i += 16;
            }
            while i + 8 <= n {
                acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(pa.add(i)), _mm256_loadu_ps(pb.add(i)), acc0);
                i += 8;
            }
            let mut s = hsum(_mm256_add_ps(acc0, acc1));
            while i < n {
                s += *pa.add(i) * *pb.add(i);
                i += 1;
            }
            s
        }
    }

    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
        unsafe {
            let n = x.len().min(y.len());
            let (px, py) = (x.as_ptr(), y.as_mut_ptr());
            let va = _mm256_set1_ps(alpha);
            let mut i = 0;
            while i + 8 <= n {
                _mm256_storeu_ps(py.add(i), _mm256_fmadd_ps(va, _mm256_loadu_ps(px.add(i)), _mm256_loadu_ps(py.add(i))));
                i += 8;
            }
            while i < n {
                *py.add(i) += alpha * *px.add(i);
                i += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::quant::{QActs, QMatrix, QType, dequantize_row};
    use super::*;

    /// Deterministic pseudo-random bytes (xorshift), so blocks hold every bit pattern.
    fn bytes(n: usize, seed: u64) -> Vec<u8> {
        let mut x = seed | 1;
        (0..n)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                (x >> 24) as u8
            })
            .collect()
    }

    /// A random matrix whose f16 scales are sane (random bits would give NaN/inf).
    fn matrix(ty: QType, rows: usize, cols: usize, seed: u64) -> QMatrix {
        let mut data = bytes(rows * cols / ty.block_elems() * ty.block_bytes(), seed);
        let scale = |v: f32| half::f16::from_f32(v).to_bits().to_le_bytes();
        for (i, b) in data.chunks_exact_mut(ty.block_bytes()).enumerate() {
            let v = 0.01 + (i % 7) as f32 * 0.003;
            match ty {
                QType::Q4_1 | QType::Q4K => {
                    b[..2].copy_from_slice(&scale(v));
                    b[2..4].copy_from_slice(&scale(if ty == QType::Q4_1 { -v * 4.0 } else { v * 0.5 }));
                }
                QType::Q6K => b[208..210].copy_from_slice(&scale(v)),
                _ => b[..2].copy_from_slice(&scale(v)),
            }
        }
        QMatrix::new(ty, rows, cols, data).unwrap()
    }

    fn acts(n: usize, cols: usize, seed: u64) -> (Vec<f32>, QActs) {
        let x: Vec<f32> = bytes(n * cols, seed).iter().map(|&b| (b as f32 - 128.0) / 40.0).collect();
        let mut a = QActs::default();
        a.quantize(&x, n, cols);
        (x, a)
    }

    const TYPES: [QType; 6] = [QType::Q4_0, QType::Q4_1, QType::Q5_0, QType::Q8_0, QType::Q4K, QType::Q6K];

    /// The scalar reference matches a plain f32 dot product of the dequantised weights (up to
    /// the activations' 8-bit rounding).
    #[test]
    fn scalar_dot_matches_dequantised_weights() {
        for ty in TYPES {
            let (rows, cols) = (5, 512);
            let w = matrix(ty, rows, cols, 7);
            let (x, a) = acts(3, cols, 11);
            let mut wf = vec![0f32; cols];
            for r in 0..rows {
                dequantize_row(ty, w.row(r), &mut wf);
                for t in 0..3 {
                    let exact: f32 = wf.iter().zip(&x[t * cols..]).map(|(p, q)| p * q).sum();
                    let got = dot_row_scalar(ty, w.row(r), &a, t);
                    let mag: f32 = wf.iter().zip(&x[t * cols..]).map(|(p, q)| (p * q).abs()).sum();
                    assert!((got - exact).abs() <= 0.01 * mag + 1e-4, "{ty:?} r{r} t{t}: {got} vs {exact} (mag {mag})");
                }
            }
        }
    }

    /// Every SIMD kernel, at every tile width, agrees with the scalar reference.
    #[test]
    fn simd_kernels_match_the_reference() {
        let isa = Isa::detect();
        if isa == Isa::Scalar {
            eprintln!("no SIMD kernels on this CPU; the scalar path is the one in use");
        }
        for ty in TYPES {
            let (rows, cols, n) = (9, 768, 7);
            let w = matrix(ty, rows, cols, 3);
            let (_, a) = acts(n, cols, 5);
            let mut got = vec![f32::NAN; n * rows];
            gemm(isa, &w, &a, 0..rows, SyncPtr(got.as_mut_ptr()), rows, 0);
            for t in 0..n {
                for r in 0..rows {
                    let want = dot_row_scalar(ty, w.row(r), &a, t);
                    let g = got[t * rows + r];
                    assert!((g - want).abs() <= 1e-4 * want.abs().max(1.0), "{ty:?} t{t} r{r}: {g} vs {want}");
                }
            }
        }
    }

    #[test]
    fn attention_kernel_matches_the_plain_formula() {
        let isa = Isa::detect();
        for ctx in [1, 7, 8, 9, 64, 301] {
            let q: Vec<f32> = (0..64).map(|i| ((i * 37 % 64) as f32 - 32.0) / 16.0).collect();
            let k: Vec<f32> = (0..ctx * 64).map(|i| ((i * 53 % 97) as f32 - 48.0) / 24.0).collect();
            let v: Vec<f32> = (0..ctx * 64).map(|i| ((i * 29 % 89) as f32 - 44.0) / 30.0).collect();
            let scale = 0.125;
            let s: Vec<f64> = (0..ctx).map(|j| (0..64).map(|i| q[i] as f64 * k[j * 64 + i] as f64).sum::<f64>() * scale).collect();
            let m = s.iter().cloned().fold(f64::MIN, f64::max);
            let e: Vec<f64> = s.iter().map(|x| (x - m).exp()).collect();
            let z: f64 = e.iter().sum();
            let mut scores = vec![0f32; ctx];
            let mut out = vec![0f32; 64];
            attend(isa, &q, &k, &v, ctx, scale as f32, &mut scores, &mut out);
            for i in 0..64 {
                let want: f64 = (0..ctx).map(|j| e[j] / z * v[j * 64 + i] as f64).sum();
                assert!((out[i] as f64 - want).abs() < 1e-5 * (1.0 + want.abs()), "ctx {ctx} lane {i}: {} vs {want}", out[i]);
            }
        }
    }

    #[test]
    fn f32_helpers() {
        let isa = Isa::detect();
        let a: Vec<f32> = (0..67).map(|i| i as f32 * 0.5).collect();
        let b: Vec<f32> = (0..67).map(|i| 1.0 - i as f32 * 0.01).collect();
        let want: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot_f32(isa, &a, &b) - want).abs() < 1e-3);
        let mut y = b.clone();
        axpy(isa, 2.0, &a, &mut y);
        assert!(y.iter().zip(a.iter().zip(&b)).all(|(y, (a, b))| (y - (b + 2.0 * a)).abs() < 1e-5));
    }
}
