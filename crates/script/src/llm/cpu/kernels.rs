//! The CPU kernels: quantised matrix × quantised activations, and the f32 helpers of attention.
//!
//! Chosen at run time ([`Isa::detect`]): AVX2+FMA+F16C kernels written with `std::arch`, or the
//! portable scalar reference. A weight row is multiplied with up to four tokens at once, so
//! during prefill each weight block is unpacked once and used four times.

use std::ops::Range;

use half::f16;

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
    // Cheap checks the unsafe kernels rely on.
    assert!(w.cols == a.cols && rows.end <= w.rows && a.qs.len() >= a.n * a.cols && a.d.len() >= a.n * a.blocks_per_row() && a.s.len() >= a.d.len());
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: `Isa::Avx2` is only chosen when the CPU has AVX2, FMA and F16C; rows and
        // activations have the sizes the kernels read (checked above); see the contract on `out`.
        Isa::Avx2 => unsafe { avx2::gemm_rows(w.ty, w, a, rows, out.get(), stride, off) },
        Isa::Scalar => {
            for r in rows {
                for t in 0..a.n {
                    // SAFETY: see the function's contract.
                    unsafe { *out.get().add(t * stride + off + r) = dot_row_scalar(w.ty, w.row(r), a, t) };
                }
            }
        }
    }
}

/// One query head's attention over `ctx` cached positions: `out = softmax(scale · q·Kᵀ) V`.
/// `k` and `v` hold `ctx` rows of `q.len()` values in f16 (the cache's format: half the memory
/// traffic of f32); `scores` is scratch of at least `ctx`.
#[allow(clippy::too_many_arguments)]
pub(crate) fn attend(isa: Isa, q: &[f32], k: &[f16], v: &[f16], ctx: usize, scale: f32, scores: &mut [f32], out: &mut [f32]) {
    let hd = q.len();
    assert!(k.len() >= ctx * hd && v.len() >= ctx * hd && scores.len() >= ctx && out.len() >= hd);
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: AVX2/FMA/F16C present (see `Isa::detect`); the sizes are checked above.
        Isa::Avx2 if hd == 64 => unsafe { avx2::attend64(q, k, v, ctx, scale, scores, out) },
        _ => {
            let sc = &mut scores[..ctx];
            let mut max = f32::NEG_INFINITY;
            for (j, s) in sc.iter_mut().enumerate() {
                *s = q.iter().zip(&k[j * hd..(j + 1) * hd]).map(|(a, b)| a * b.to_f32()).sum::<f32>() * scale;
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
                let w = s * inv;
                for (o, x) in out.iter_mut().zip(&v[j * hd..(j + 1) * hd]) {
                    *o += w * x.to_f32();
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
mod avx2 {
    // Tiles index their accumulators by (row, token) on purpose: the loops unroll into registers.
    #![allow(clippy::needless_range_loop)]

    use std::arch::x86_64::*;

    use super::{QActs, QMatrix, QType};

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

    /// The activations, read through raw pointers inside the kernels.
    #[derive(Clone, Copy)]
    struct Acts {
        qs: *const i8,
        d: *const f32,
        s: *const f32,
        cols: usize,
        n: usize,
    }

    impl Acts {
        #[inline(always)]
        fn new(a: &QActs) -> Acts {
            Acts { qs: a.qs.as_ptr(), d: a.d.as_ptr(), s: a.s.as_ptr(), cols: a.cols, n: a.n }
        }
        #[inline(always)]
        unsafe fn q(&self, t: usize, blk: usize) -> __m256i {
            unsafe { _mm256_loadu_si256(self.qs.add(t * self.cols + blk * 32) as *const __m256i) }
        }
        #[inline(always)]
        unsafe fn d(&self, t: usize, blk: usize) -> f32 {
            unsafe { *self.d.add(blk * self.n + t) }
        }
        #[inline(always)]
        unsafe fn s(&self, t: usize, blk: usize) -> f32 {
            unsafe { *self.s.add(blk * self.n + t) }
        }
    }

    /// A tile: `R` weight rows × `T` tokens, accumulated in registers.
    type Rows<const R: usize> = [*const u8; R];

    /// Computes `W[rows] · a` for the rows in `rows`, writing `out[t * stride + off + r]`.
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn gemm_rows(ty: QType, w: &QMatrix, a: &QActs, rows: std::ops::Range<usize>, out: *mut f32, stride: usize, off: usize) {
        unsafe {
            match ty {
                QType::Q4_0 => drive::<Simple<Q4_0>>(w, a, rows, out, stride, off),
                QType::Q4_1 => drive::<Simple<Q4_1>>(w, a, rows, out, stride, off),
                QType::Q5_0 => drive::<Simple<Q5_0>>(w, a, rows, out, stride, off),
                QType::Q8_0 => drive::<Simple<Q8_0>>(w, a, rows, out, stride, off),
                QType::Q4K => drive::<Q4K>(w, a, rows, out, stride, off),
                QType::Q6K => drive::<Q6K>(w, a, rows, out, stride, off),
            }
        }
    }

    /// A kernel: dot products of `R` rows with `T` consecutive tokens.
    trait Kernel {
        /// Rows per tile when generating (one token): 4, or 2 for formats whose unpacked blocks
        /// would not fit the registers four times over.
        const DECODE_ROWS: usize = 4;
        /// Prompts run in 1 row × 8 token tiles (unpacking each block once for eight tokens).
        const WIDE: bool = true;
        unsafe fn tile<const R: usize, const T: usize>(rows: Rows<R>, row_bytes: usize, a: Acts, t0: usize) -> [[f32; T]; R];
    }

    /// Walks the rows in tiles: 4 rows × 1 token when generating (independent accumulators hide
    /// the FMA latency and the activation block is loaded once for 4 rows), 2 rows × 4 tokens
    /// when reading a prompt (each weight block is unpacked once for 4 tokens).
    #[inline(always)]
    unsafe fn drive<K: Kernel>(w: &QMatrix, a: &QActs, rows: std::ops::Range<usize>, out: *mut f32, stride: usize, off: usize) {
        unsafe {
            let acts = Acts::new(a);
            let base = w.data.as_ptr();
            let rb = w.row_bytes;
            let row = |r: usize| base.add(r * rb);
            let put = |r: usize, t: usize, v: f32| *out.add(t * stride + off + r) = v;
            let n = a.n;
            let mut r = rows.start;
            if n == 1 {
                while K::DECODE_ROWS == 2 && r + 2 <= rows.end {
                    let v = K::tile::<2, 1>([row(r), row(r + 1)], rb, acts, 0);
                    put(r, 0, v[0][0]);
                    put(r + 1, 0, v[1][0]);
                    r += 2;
                }
                while r + 4 <= rows.end {
                    let v = K::tile::<4, 1>([row(r), row(r + 1), row(r + 2), row(r + 3)], rb, acts, 0);
                    for (i, v) in v.iter().enumerate() {
                        put(r + i, 0, v[0]);
                    }
                    r += 4;
                }
                while r < rows.end {
                    put(r, 0, K::tile::<1, 1>([row(r)], rb, acts, 0)[0][0]);
                    r += 1;
                }
                return;
            }
            while r < rows.end {
                let two = r + 2 <= rows.end;
                let mut t0 = 0;
                while K::WIDE && t0 + 8 <= n {
                    let v = K::tile::<1, 8>([row(r)], rb, acts, t0);
                    for (t, v) in v[0].iter().enumerate() {
                        put(r, t0 + t, *v);
                    }
                    if two {
                        let v = K::tile::<1, 8>([row(r + 1)], rb, acts, t0);
                        for (t, v) in v[0].iter().enumerate() {
                            put(r + 1, t0 + t, *v);
                        }
                    }
                    t0 += 8;
                }
                while t0 + 4 <= n {
                    if two {
                        let v = K::tile::<2, 4>([row(r), row(r + 1)], rb, acts, t0);
                        for (i, v) in v.iter().enumerate() {
                            for (t, v) in v.iter().enumerate() {
                                put(r + i, t0 + t, *v);
                            }
                        }
                    } else {
                        let v = K::tile::<1, 4>([row(r)], rb, acts, t0);
                        for (t, v) in v[0].iter().enumerate() {
                            put(r, t0 + t, *v);
                        }
                    }
                    t0 += 4;
                }
                while t0 < n {
                    if two {
                        let v = K::tile::<2, 1>([row(r), row(r + 1)], rb, acts, t0);
                        put(r, t0, v[0][0]);
                        put(r + 1, t0, v[1][0]);
                    } else {
                        put(r, t0, K::tile::<1, 1>([row(r)], rb, acts, t0)[0][0]);
                    }
                    t0 += 1;
                }
                r += if two { 2 } else { 1 };
            }
        }
    }

    #[inline(always)]
    unsafe fn finish<const R: usize, const T: usize>(acc: [[__m256; T]; R], extra: [[f32; T]; R]) -> [[f32; T]; R] {
        let mut out = [[0f32; T]; R];
        for r in 0..R {
            for t in 0..T {
                out[r][t] = unsafe { hsum(acc[r][t]) } + extra[r][t];
            }
        }
        out
    }

    /// One unpacked 32-value block: `q` (unsigned values, or |q| for signed formats), the sign
    /// source for signed formats, the scale and the coefficient of the activation sum.
    #[derive(Clone, Copy)]
    struct Blk {
        q: __m256i,
        sign: __m256i,
        d: f32,
        m: f32,
    }

    /// The 32-value block formats.
    trait Block32 {
        const BYTES: usize;
        /// Values are signed (use the sign trick) rather than unsigned with an offset.
        const SIGNED: bool;
        unsafe fn load(p: *const u8) -> Blk;
    }

    #[inline(always)]
    unsafe fn nibbles(p: *const u8) -> __m256i {
        unsafe {
            let raw = _mm_loadu_si128(p as *const __m128i);
            _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(raw, 4), raw), _mm256_set1_epi8(0x0F))
        }
    }

    struct Q4_0;
    impl Block32 for Q4_0 {
        const BYTES: usize = 18;
        const SIGNED: bool = false;
        #[inline(always)]
        unsafe fn load(p: *const u8) -> Blk {
            unsafe {
                let d = f16(p);
                Blk { q: nibbles(p.add(2)), sign: _mm256_setzero_si256(), d, m: -8.0 * d }
            }
        }
    }

    struct Q4_1;
    impl Block32 for Q4_1 {
        const BYTES: usize = 20;
        const SIGNED: bool = false;
        #[inline(always)]
        unsafe fn load(p: *const u8) -> Blk {
            unsafe {
                // d and m are adjacent f16s: one conversion for both.
                let dm = _mm_cvtph_ps(_mm_cvtsi32_si128(std::ptr::read_unaligned(p as *const i32)));
                Blk { q: nibbles(p.add(4)), sign: _mm256_setzero_si256(), d: _mm_cvtss_f32(dm), m: _mm_cvtss_f32(_mm_movehdup_ps(dm)) }
            }
        }
    }

    struct Q5_0;
    impl Block32 for Q5_0 {
        const BYTES: usize = 22;
        const SIGNED: bool = false;
        #[inline(always)]
        unsafe fn load(p: *const u8) -> Blk {
            unsafe {
                let d = f16(p);
                let qh = std::ptr::read_unaligned(p.add(2) as *const u32);
                let q = _mm256_or_si256(nibbles(p.add(6)), _mm256_and_si256(bits_to_bytes(qh), _mm256_set1_epi8(0x10)));
                Blk { q, sign: _mm256_setzero_si256(), d, m: -16.0 * d }
            }
        }
    }

    struct Q8_0;
    impl Block32 for Q8_0 {
        const BYTES: usize = 34;
        const SIGNED: bool = true;
        #[inline(always)]
        unsafe fn load(p: *const u8) -> Blk {
            unsafe {
                let q = _mm256_loadu_si256(p.add(2) as *const __m256i);
                Blk { q: _mm256_sign_epi8(q, q), sign: q, d: f16(p), m: 0.0 }
            }
        }
    }

    struct Simple<B>(std::marker::PhantomData<B>);

    impl<B: Block32> Kernel for Simple<B> {
        #[inline(always)]
        unsafe fn tile<const R: usize, const T: usize>(rows: Rows<R>, row_bytes: usize, a: Acts, t0: usize) -> [[f32; T]; R] {
            unsafe {
                let mut acc = [[_mm256_setzero_ps(); T]; R];
                let mut extra = [[0f32; T]; R];
                for b in 0..row_bytes / B::BYTES {
                    // The next tile's rows follow these: ask for them a tile ahead, so the
                    // memory streams while this tile computes.
                    for row in rows {
                        _mm_prefetch::<_MM_HINT_T0>(row.add(b * B::BYTES + R * row_bytes) as *const i8);
                    }
                    let blk: [Blk; R] = std::array::from_fn(|r| B::load(rows[r].add(b * B::BYTES)));
                    for t in 0..T {
                        let aq = a.q(t0 + t, b);
                        let (ad, asum) = (a.d(t0 + t, b), a.s(t0 + t, b));
                        for r in 0..R {
                            let p = if B::SIGNED { udot(blk[r].q, _mm256_sign_epi8(aq, blk[r].sign)) } else { udot(blk[r].q, aq) };
                            acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(blk[r].d * ad), _mm256_cvtepi32_ps(p), acc[r][t]);
                            if !B::SIGNED {
                                extra[r][t] += blk[r].m * asum;
                            }
                        }
                    }
                }
                finish(acc, extra)
            }
        }
    }

    struct Q4K;
    impl Kernel for Q4K {
        #[inline(always)]
        unsafe fn tile<const R: usize, const T: usize>(rows: Rows<R>, row_bytes: usize, a: Acts, t0: usize) -> [[f32; T]; R] {
            unsafe {
                let m4 = _mm256_set1_epi8(0x0F);
                let mut acc = [[_mm256_setzero_ps(); T]; R];
                let mut extra = [[0f32; T]; R];
                for sb in 0..row_bytes / 144 {
                    // Per row: the 8 sub-block scales and minimums, already times d / dmin.
                    let mut sc = [[0f32; 8]; R];
                    let mut mn = [[0f32; 8]; R];
                    for r in 0..R {
                        let blk = rows[r].add(sb * 144);
                        let dd = _mm_cvtph_ps(_mm_cvtsi32_si128(std::ptr::read_unaligned(blk as *const i32)));
                        let (d, dmin) = (_mm_cvtss_f32(dd), _mm_cvtss_f32(_mm_movehdup_ps(dd)));
                        let scales = std::slice::from_raw_parts(blk.add(4), 12);
                        for j in 0..8 {
                            let (s, m) = super::super::quant::q4k_scale_min(j, scales);
                            sc[r][j] = d * s as f32;
                            mn[r][j] = dmin * m as f32;
                        }
                    }
                    for c in 0..4 {
                        for row in rows {
                            _mm_prefetch::<_MM_HINT_T0>(row.add(sb * 144 + 16 + 32 * c + R * row_bytes) as *const i8);
                        }
                        let (j0, j1) = (2 * c, 2 * c + 1);
                        let (b0, b1) = (sb * 8 + j0, sb * 8 + j1);
                        let lohi: [(__m256i, __m256i); R] = std::array::from_fn(|r| {
                            let raw = _mm256_loadu_si256(rows[r].add(sb * 144 + 16 + 32 * c) as *const __m256i);
                            (_mm256_and_si256(raw, m4), _mm256_and_si256(_mm256_srli_epi16(raw, 4), m4))
                        });
                        for t in 0..T {
                            let tt = t0 + t;
                            let (a0, a1) = (a.q(tt, b0), a.q(tt, b1));
                            let (d0, d1, s0, s1) = (a.d(tt, b0), a.d(tt, b1), a.s(tt, b0), a.s(tt, b1));
                            for r in 0..R {
                                let p0 = udot(lohi[r].0, a0);
                                let p1 = udot(lohi[r].1, a1);
                                acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(sc[r][j0] * d0), _mm256_cvtepi32_ps(p0), acc[r][t]);
                                acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(sc[r][j1] * d1), _mm256_cvtepi32_ps(p1), acc[r][t]);
                                extra[r][t] -= mn[r][j0] * s0 + mn[r][j1] * s1;
                            }
                        }
                    }
                }
                finish(acc, extra)
            }
        }
    }

    struct Q6K;

    /// Chunk `K` (values 32K..32K+32) of a Q6_K half-block from its `ql` (64 bytes, as two
    /// vectors) and `qh` (32 bytes), centred to −32..31.
    #[inline(always)]
    unsafe fn q6k_chunk<const K: usize>(ql0: __m256i, ql1: __m256i, qh: __m256i) -> __m256i {
        unsafe {
            let m4 = _mm256_set1_epi8(0x0F);
            let m30 = _mm256_set1_epi8(0x30);
            let ql = if K & 1 == 0 { ql0 } else { ql1 };
            let lo = if K < 2 { _mm256_and_si256(ql, m4) } else { _mm256_and_si256(_mm256_srli_epi16(ql, 4), m4) };
            // Bits 2K..2K+1 of qh moved to bits 4..5.
            let hi = match K {
                0 => _mm256_and_si256(_mm256_slli_epi16(qh, 4), m30),
                1 => _mm256_and_si256(_mm256_slli_epi16(qh, 2), m30),
                2 => _mm256_and_si256(qh, m30),
                _ => _mm256_and_si256(_mm256_srli_epi16(qh, 2), m30),
            };
            _mm256_sub_epi8(_mm256_or_si256(lo, hi), _mm256_set1_epi8(32))
        }
    }

    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn q6k_step<const K: usize, const R: usize, const T: usize>(
        src: &[(__m256i, __m256i, __m256i); R],
        sc: &[*const i8; R],
        d: &[f32; R],
        half: usize,
        blk0: usize,
        a: Acts,
        t0: usize,
        acc: &mut [[__m256; T]; R],
    ) {
        unsafe {
            let j = half * 4 + K;
            let q: [(__m256i, __m256i, __m256i); R] = std::array::from_fn(|r| {
                let qc = q6k_chunk::<K>(src[r].0, src[r].1, src[r].2);
                let s = sc[r].add(2 * j);
                let scv = _mm256_set_m128i(_mm_set1_epi16(*s.add(1) as i16), _mm_set1_epi16(*s as i16));
                (_mm256_sign_epi8(qc, qc), qc, scv)
            });
            let blk = blk0 + j;
            for t in 0..T {
                let aq = a.q(t0 + t, blk);
                let ad = a.d(t0 + t, blk);
                for r in 0..R {
                    let (qabs, qc, scv) = q[r];
                    let p = _mm256_madd_epi16(_mm256_maddubs_epi16(qabs, _mm256_sign_epi8(aq, qc)), scv);
                    acc[r][t] = _mm256_fmadd_ps(_mm256_set1_ps(d[r] * ad), _mm256_cvtepi32_ps(p), acc[r][t]);
                }
            }
        }
    }

    impl Kernel for Q6K {
        const DECODE_ROWS: usize = 2;
        #[inline(always)]
        unsafe fn tile<const R: usize, const T: usize>(rows: Rows<R>, row_bytes: usize, a: Acts, t0: usize) -> [[f32; T]; R] {
            unsafe {
                let mut acc = [[_mm256_setzero_ps(); T]; R];
                for sb in 0..row_bytes / 210 {
                    let blks: [*const u8; R] = std::array::from_fn(|r| rows[r].add(sb * 210));
                    let d: [f32; R] = std::array::from_fn(|r| f16(blks[r].add(208)));
                    let sc: [*const i8; R] = std::array::from_fn(|r| blks[r].add(192) as *const i8);
                    for half in 0..2 {
                        for row in rows {
                            let next = row.add(sb * 210 + R * row_bytes);
                            _mm_prefetch::<_MM_HINT_T0>(next.add(half * 64) as *const i8);
                            _mm_prefetch::<_MM_HINT_T0>(next.add(128 + half * 32) as *const i8);
                            _mm_prefetch::<_MM_HINT_T0>(next.add(192) as *const i8);
                        }
                        let src: [(__m256i, __m256i, __m256i); R] = std::array::from_fn(|r| {
                            let b = blks[r];
                            (
                                _mm256_loadu_si256(b.add(half * 64) as *const __m256i),
                                _mm256_loadu_si256(b.add(half * 64 + 32) as *const __m256i),
                                _mm256_loadu_si256(b.add(128 + half * 32) as *const __m256i),
                            )
                        });
                        q6k_step::<0, R, T>(&src, &sc, &d, half, sb * 8, a, t0, &mut acc);
                        q6k_step::<1, R, T>(&src, &sc, &d, half, sb * 8, a, t0, &mut acc);
                        q6k_step::<2, R, T>(&src, &sc, &d, half, sb * 8, a, t0, &mut acc);
                        q6k_step::<3, R, T>(&src, &sc, &d, half, sb * 8, a, t0, &mut acc);
                    }
                }
                finish(acc, [[0.0; T]; R])
            }
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
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn attend64(q: &[f32], k: &[half::f16], v: &[half::f16], ctx: usize, scale: f32, scores: &mut [f32], out: &mut [f32]) {
        unsafe {
            let qp = q.as_ptr();
            let mut qv = [_mm256_setzero_ps(); 8];
            for (c, r) in qv.iter_mut().enumerate() {
                *r = _mm256_mul_ps(_mm256_loadu_ps(qp.add(8 * c)), _mm256_set1_ps(scale));
            }
            let (kp, sp) = (k.as_ptr() as *const u16, scores.as_mut_ptr());
            let h8 = |p: *const u16| _mm256_cvtph_ps(_mm_loadu_si128(p as *const __m128i));
            let mut max = f32::NEG_INFINITY;
            for j in 0..ctx {
                let row = kp.add(j * 64);
                let mut a0 = _mm256_mul_ps(qv[0], h8(row));
                let mut a1 = _mm256_mul_ps(qv[1], h8(row.add(8)));
                a0 = _mm256_fmadd_ps(qv[2], h8(row.add(16)), a0);
                a1 = _mm256_fmadd_ps(qv[3], h8(row.add(24)), a1);
                a0 = _mm256_fmadd_ps(qv[4], h8(row.add(32)), a0);
                a1 = _mm256_fmadd_ps(qv[5], h8(row.add(40)), a1);
                a0 = _mm256_fmadd_ps(qv[6], h8(row.add(48)), a0);
                a1 = _mm256_fmadd_ps(qv[7], h8(row.add(56)), a1);
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
            let vp = v.as_ptr() as *const u16;
            for j in 0..ctx {
                let w = _mm256_set1_ps(*sp.add(j) * inv);
                let row = vp.add(j * 64);
                for (c, r) in o.iter_mut().enumerate() {
                    *r = _mm256_fmadd_ps(w, h8(row.add(8 * c)), *r);
                }
            }
            let op = out.as_mut_ptr();
            for (c, r) in o.iter().enumerate() {
                _mm256_storeu_ps(op.add(8 * c), *r);
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
        for (ty, n) in TYPES.iter().flat_map(|t| [(*t, 1), (*t, 7), (*t, 19)]) {
            let (rows, cols) = (11, 768);
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
            let k: Vec<f16> = (0..ctx * 64).map(|i| f16::from_f32(((i * 53 % 97) as f32 - 48.0) / 24.0)).collect();
            let v: Vec<f16> = (0..ctx * 64).map(|i| f16::from_f32(((i * 29 % 89) as f32 - 44.0) / 30.0)).collect();
            let scale = 0.125;
            let s: Vec<f64> = (0..ctx).map(|j| (0..64).map(|i| q[i] as f64 * k[j * 64 + i].to_f64()).sum::<f64>() * scale).collect();
            let m = s.iter().cloned().fold(f64::MIN, f64::max);
            let e: Vec<f64> = s.iter().map(|x| (x - m).exp()).collect();
            let z: f64 = e.iter().sum();
            let mut scores = vec![0f32; ctx];
            let mut out = vec![0f32; 64];
            attend(isa, &q, &k, &v, ctx, scale as f32, &mut scores, &mut out);
            let mut reference = vec![0f32; 64];
            attend(Isa::Scalar, &q, &k, &v, ctx, scale as f32, &mut scores, &mut reference);
            for i in 0..64 {
                assert!((out[i] - reference[i]).abs() < 1e-5 * (1.0 + reference[i].abs()), "ctx {ctx}: simd vs scalar");
                let want: f64 = (0..ctx).map(|j| e[j] / z * v[j * 64 + i].to_f64()).sum();
                assert!((out[i] as f64 - want).abs() < 1e-5 * (1.0 + want.abs()), "ctx {ctx} lane {i}: {} vs {want}", out[i]);
            }
        }
    }
}


#[cfg(test)]
mod speed {
    use super::super::quant::{QActs, QMatrix, QType};
    use super::*;

    /// Kernel throughput, for tuning: `cargo test --release -p script kernel_speed -- --ignored --nocapture`.
    #[test]
    #[ignore = "timing"]
    fn kernel_speed() {
        let isa = Isa::detect();
        for (ty, rows, cols) in [(QType::Q8_0, 151936, 896), (QType::Q5_0, 9728, 896), (QType::Q4_1, 1536, 576), (QType::Q4_1, 576, 1536), (QType::Q8_0, 8192, 576), (QType::Q5_0, 4864, 896), (QType::Q6K, 896, 4864), (QType::Q4K, 896, 4864)] {
            let mut data = vec![0u8; rows * cols / ty.block_elems() * ty.block_bytes()];
            for (i, b) in data.iter_mut().enumerate() {
                *b = ((i * 2654435761usize) >> 13) as u8;
            }
            for blk in data.chunks_exact_mut(ty.block_bytes()) {
                let at = if ty == QType::Q6K { 208 } else { 0 };
                blk[at..at + 2].copy_from_slice(&half::f16::from_f32(0.01).to_bits().to_le_bytes());
                if matches!(ty, QType::Q4_1 | QType::Q4K) {
                    blk[2..4].copy_from_slice(&half::f16::from_f32(0.01).to_bits().to_le_bytes());
                }
            }
            let w = QMatrix::new(ty, rows, cols, data).unwrap();
            for n in [1usize, 4, 64] {
                let x: Vec<f32> = (0..n * cols).map(|i| ((i * 7) % 13) as f32 - 6.0).collect();
                let mut a = QActs::default();
                a.quantize(&x, n, cols);
                let mut out = vec![0f32; n * rows];
                let reps = (2_000_000_000 / (rows * cols * n)).max(1);
                let t = std::time::Instant::now();
                for _ in 0..reps {
                    gemm(isa, &w, &a, 0..rows, SyncPtr(out.as_mut_ptr()), rows, 0);
                }
                let secs = t.elapsed().as_secs_f64();
                let macs = (rows * cols * n * reps) as f64;
                let gb = (w.data.len() * reps) as f64 / 1e9;
                eprintln!("{ty:?} {rows}x{cols} n={n}: {:.1} GMAC/s, weights {:.1} GB/s, {:.1} ns/block/token", macs / secs / 1e9, gb / secs, secs * 1e9 / (macs / 32.0));
            }
        }
    }
}
