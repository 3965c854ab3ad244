//! The CPU kernels: quantised matrix × quantised activations, the activations' quantising, and
//! the f32 helpers of attention and of the feed-forward gate (SwiGLU).
//!
//! Chosen at run time ([`Isa::detect`]): AVX-512 VNNI kernels for matrices regrouped 8 rows at a
//! time ([`Layout::Packed8`], where `vpdpbusd` does a row's 4 multiply-adds in one lane and the
//! sums come out per row), AVX2+FMA+F16C kernels on the file's layout, or the portable scalar
//! reference. A tile spans several tokens, so during prefill each weight block is unpacked once
//! and used for up to eight tokens.

use std::ops::Range;

use half::f16;

use super::pool::SyncPtr;
use super::quant::{Layout, QActs, QMatrix, QType, dot_row_scalar};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Isa {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    /// AVX2 plus AVX-512 VNNI (with VL and BW): matrices in [`Layout::Packed8`] run on the
    /// `vpdpbusd` kernels, the rest (and attention) on the AVX2 ones.
    #[cfg(target_arch = "x86_64")]
    Avx512Vnni,
}

/// How far ahead (bytes) the VNNI kernels prefetch the weights they stream; 0: not at all,
/// the hardware prefetcher alone. Intel's L2 streamer stops at every 4 KiB page boundary and
/// ramps up again; a software prefetch 4 KiB ahead keeps the stream going: on an Ice Lake-SP VM
/// (2026-12-07) one thread's Q4_K matrix-vector product from memory went from 9.0–9.8 to
/// 11.9 GB/s, Q6_K from 6.7–9.3 to 12.3, the 1.5B's decode on two threads from 15.7 to 20.8–21.8
/// tok/s. On the AMD EPYC (Zen 4) VM explicit prefetches measured slower (2026-12-06): off
/// there. `EVERCAST_PREFETCH=<bytes>` overrides, for measuring.
pub(crate) fn weight_prefetch() -> usize {
    static AHEAD: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *AHEAD.get_or_init(|| match std::env::var("EVERCAST_PREFETCH").ok().and_then(|v| v.parse().ok()) {
        Some(bytes) => bytes,
        None if cpu_vendor() == *b"GenuineIntel" => 4096,
        None => 0,
    })
}

/// The CPU's vendor string ("GenuineIntel", "AuthenticAMD").
fn cpu_vendor() -> [u8; 12] {
    #[cfg(target_arch = "x86_64")]
    {
        // SAFETY: CPUID leaf 0 exists on every x86-64 CPU.
        #[allow(unused_unsafe)]
        let r = unsafe { std::arch::x86_64::__cpuid(0) };
        let mut v = [0u8; 12];
        v[..4].copy_from_slice(&r.ebx.to_le_bytes());
        v[4..8].copy_from_slice(&r.edx.to_le_bytes());
        v[8..].copy_from_slice(&r.ecx.to_le_bytes());
        v
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        [0; 12]
    }
}

impl Isa {
    /// The best kernels this CPU runs, capped by `EVERCAST_CPU_KERNELS` (`avx2` or `scalar`:
    /// for comparisons, or to rule out a kernel when hunting a numerical difference).
    pub(crate) fn detect() -> Isa {
        let cap = std::env::var("EVERCAST_CPU_KERNELS").unwrap_or_default().to_ascii_lowercase();
        if cap == "scalar" {
            return Isa::Scalar;
        }
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") && std::is_x86_feature_detected!("f16c") {
                let vnni = std::is_x86_feature_detected!("avx512f")
                    && std::is_x86_feature_detected!("avx512vl")
                    && std::is_x86_feature_detected!("avx512bw")
                    && std::is_x86_feature_detected!("avx512vnni");
                return if vnni && cap != "avx2" { Isa::Avx512Vnni } else { Isa::Avx2 };
            }
        }
        Isa::Scalar
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Isa::Scalar => "scalar",
            #[cfg(target_arch = "x86_64")]
            Isa::Avx2 => "AVX2",
            #[cfg(target_arch = "x86_64")]
            Isa::Avx512Vnni => "AVX-512 VNNI",
        }
    }

    /// Whether matrices should be regrouped with [`QMatrix::pack8`] for these kernels.
    pub(crate) fn packs(self) -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            self == Isa::Avx512Vnni
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
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
    if w.layout == Layout::Packed8 {
        assert!(isa.packs() && rows.start.is_multiple_of(8) && rows.end.is_multiple_of(8) && a.half_sums.len() >= 2 * a.n * a.blocks_per_row());
        #[cfg(target_arch = "x86_64")]
        // SAFETY: packed matrices exist only where `Isa::Avx512Vnni` was detected (asserted);
        // the packed data holds whole groups of 8 rows (`QMatrix::pack8`), the row range is
        // whole groups and the activations have the sizes read (asserted above).
        unsafe {
            vnni::gemm_rows(w, a, rows, out.get(), stride, off)
        };
        return;
    }
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as for `Isa::Avx2` below; AVX-512 VNNI CPUs have AVX2, FMA and F16C.
        Isa::Avx512Vnni => unsafe { avx2::gemm_rows(w.ty, w, a, rows, out.get(), stride, off) },
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

/// Quantises 32 activations to signed bytes with one scale, `amax / 127`, rounding half away
/// from zero: writes `q` and returns the scale and the sums of each half's bytes (Q6_K's scales
/// cover 16 values). Every path gives the same bytes.
pub(crate) fn quantize_block(isa: Isa, x: &[f32], q: &mut [i8]) -> (f32, [i32; 2]) {
    assert!(x.len() >= 32 && q.len() >= 32);
    match isa {
        #[cfg(target_arch = "x86_64")]
        // SAFETY: AVX2 present (see `Isa::detect`); 32 values each side (asserted).
        Isa::Avx2 | Isa::Avx512Vnni => unsafe { avx2::quantize_block(x.as_ptr(), q.as_mut_ptr()) },
        _ => {
            let amax = x[..32].iter().fold(0f32, |m, v| m.max(v.abs()));
            let d = amax / 127.0;
            let id = if d > 0.0 { 1.0 / d } else { 0.0 };
            let mut halves = [0i32; 2];
            for (i, (q, v)) in q[..32].iter_mut().zip(x).enumerate() {
                let r = (v * id).round() as i32;
                *q = r as i8;
                halves[i / 16] += r;
            }
            (d, halves)
        }
    }
}

/// `out[i] = silu(gate[i]) · up[i]`, the feed-forward block's gated activation.
pub(crate) fn swiglu(isa: Isa, gate: &[f32], up: &[f32], out: &mut [f32]) {
    let n = out.len();
    assert!(gate.len() >= n && up.len() >= n);
    let mut done = 0;
    #[cfg(target_arch = "x86_64")]
    if matches!(isa, Isa::Avx2 | Isa::Avx512Vnni) {
        // SAFETY: AVX2/FMA present (see `Isa::detect`); whole groups of 8 within `n` (asserted).
        unsafe { avx2::swiglu(gate.as_ptr(), up.as_ptr(), out.as_mut_ptr(), n / 8) };
        done = n / 8 * 8;
    }
    let _ = isa;
    for ((o, g), u) in out[done..].iter_mut().zip(&gate[done..n]).zip(&up[done..n]) {
        *o = g / (1.0 + (-g).exp()) * u;
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
        Isa::Avx2 | Isa::Avx512Vnni if hd == 64 => unsafe { avx2::attend::<8>(q, k, v, ctx, scale, scores, out) },
        #[cfg(target_arch = "x86_64")]
        // SAFETY: as above.
        Isa::Avx2 | Isa::Avx512Vnni if hd == 128 => unsafe { avx2::attend::<16>(q, k, v, ctx, scale, scores, out) },
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

    /// [`super::quantize_block`], 8 lanes at a time; x + copysign(0.5 - ulp, x) truncated is
    /// `f32::round` (half away from zero) exactly, so the bytes match the scalar path's.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn quantize_block(x: *const f32, q: *mut i8) -> (f32, [i32; 2]) {
        unsafe {
            let v: [__m256; 4] = std::array::from_fn(|k| _mm256_loadu_ps(x.add(8 * k)));
            let sign = _mm256_set1_ps(-0.0);
            let abs = |v: __m256| _mm256_andnot_ps(sign, v);
            let m = _mm256_max_ps(_mm256_max_ps(abs(v[0]), abs(v[1])), _mm256_max_ps(abs(v[2]), abs(v[3])));
            let m = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
            let m = _mm_max_ps(m, _mm_movehl_ps(m, m));
            let amax = _mm_cvtss_f32(_mm_max_ss(m, _mm_movehdup_ps(m)));
            let d = amax / 127.0;
            let id = _mm256_set1_ps(if d > 0.0 { 1.0 / d } else { 0.0 });
            let half = _mm256_set1_ps(0.499_999_97);
            let r: [__m256i; 4] = std::array::from_fn(|k| {
                let y = _mm256_mul_ps(v[k], id);
                let y = _mm256_add_ps(y, _mm256_or_ps(half, _mm256_and_ps(y, sign)));
                _mm256_cvttps_epi32(y)
            });
            // i32 → i8 (|r| ≤ 127): the packs interleave 128-bit lanes, the permute undoes it.
            let b = _mm256_packs_epi16(_mm256_packs_epi32(r[0], r[1]), _mm256_packs_epi32(r[2], r[3]));
            let b = _mm256_permutevar8x32_epi32(b, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
            _mm256_storeu_si256(q as *mut __m256i, b);
            let hsum_i = |v: __m256i| {
                let s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
                let s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0b01_00_11_10));
                _mm_cvtsi128_si32(_mm_add_epi32(s, _mm_shuffle_epi32(s, 0b10_11_00_01)))
            };
            (d, [hsum_i(_mm256_add_epi32(r[0], r[1])), hsum_i(_mm256_add_epi32(r[2], r[3]))])
        }
    }

    /// [`super::swiglu`] on `groups` groups of 8 values.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn swiglu(gate: *const f32, up: *const f32, out: *mut f32, groups: usize) {
        unsafe {
            let one = _mm256_set1_ps(1.0);
            for i in 0..groups {
                let g = _mm256_loadu_ps(gate.add(8 * i));
                let e = exp(_mm256_sub_ps(_mm256_setzero_ps(), g));
                let silu = _mm256_div_ps(g, _mm256_add_ps(one, e));
                _mm256_storeu_ps(out.add(8 * i), _mm256_mul_ps(silu, _mm256_loadu_ps(up.add(8 * i))));
            }
        }
    }

    /// e^x, 8 lanes: 2^(x·log2 e) split into 2^n · 2^f, with a degree-6 polynomial for 2^f on
    /// [-0.5, 0.5] (relative error ~2e-7). x is clamped to [-87, 88], where 2^n stays a normal
    /// float: below, e^x comes out ~1.6e-38 rather than 0; above, ~1.7e38 rather than inf.
    #[inline(always)]
    unsafe fn exp(x: __m256) -> __m256 {
        unsafe {
            let x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0)), _mm256_set1_ps(88.0));
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

    /// `attend` for heads of `8 * C` values (64 or 128): q and the output accumulator live in
    /// registers (or next to them, for the wide heads).
    #[target_feature(enable = "avx2,fma,f16c")]
    pub(super) unsafe fn attend<const C: usize>(q: &[f32], k: &[half::f16], v: &[half::f16], ctx: usize, scale: f32, scores: &mut [f32], out: &mut [f32]) {
        unsafe {
            let hd = 8 * C;
            let qp = q.as_ptr();
            let mut qv = [_mm256_setzero_ps(); C];
            for (c, r) in qv.iter_mut().enumerate() {
                *r = _mm256_mul_ps(_mm256_loadu_ps(qp.add(8 * c)), _mm256_set1_ps(scale));
            }
            let (kp, sp) = (k.as_ptr() as *const u16, scores.as_mut_ptr());
            let h8 = |p: *const u16| _mm256_cvtph_ps(_mm_loadu_si128(p as *const __m128i));
            let mut max = f32::NEG_INFINITY;
            for j in 0..ctx {
                let row = kp.add(j * hd);
                // Two chains, so consecutive multiply-adds do not wait on each other.
                let mut a0 = _mm256_mul_ps(qv[0], h8(row));
                let mut a1 = _mm256_mul_ps(qv[1], h8(row.add(8)));
                let mut c = 2;
                while c < C {
                    a0 = _mm256_fmadd_ps(qv[c], h8(row.add(8 * c)), a0);
                    a1 = _mm256_fmadd_ps(qv[c + 1], h8(row.add(8 * c + 8)), a1);
                    c += 2;
                }
                let s = hsum(_mm256_add_ps(a0, a1));
                *sp.add(j) = s;
                max = max.max(s);
            }
            // Softmax weights, 8 at a time.
            let vmax = _mm256_set1_ps(max);
            let mut vsum = _mm256_setzero_ps();
            let mut j = 0;
            while j + 8 <= ctx {
                let e = exp(_mm256_sub_ps(_mm256_loadu_ps(sp.add(j)), vmax));
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
            let mut o = [_mm256_setzero_ps(); C];
            let vp = v.as_ptr() as *const u16;
            for j in 0..ctx {
                let w = _mm256_set1_ps(*sp.add(j) * inv);
                let row = vp.add(j * hd);
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

/// Kernels for [`Layout::Packed8`] matrices with AVX-512 VNNI (on 256-bit vectors: the lanes of
/// one vector are 8 rows, so `vpdpbusd` with one token's 4 values broadcast advances 8 dot
/// products at once and the sums come out per row, ready to store). A tile is 8 rows × up to 8
/// tokens: each block is unpacked once and used for every token of the tile.
#[cfg(target_arch = "x86_64")]
mod vnni {
    // Tiles index their accumulators by token on purpose: the loops unroll into registers.
    #![allow(clippy::needless_range_loop)]

    use std::arch::x86_64::*;

    use super::{QActs, QMatrix, QType};

    #[derive(Clone, Copy)]
    struct Acts {
        qs: *const i8,
        d: *const f32,
        s: *const f32,
        halves: *const i32,
        cols: usize,
        n: usize,
    }

    impl Acts {
        #[inline(always)]
        unsafe fn q(&self, t: usize, blk: usize) -> *const i8 {
            unsafe { self.qs.add(t * self.cols + blk * 32) }
        }
        #[inline(always)]
        unsafe fn d(&self, t: usize, blk: usize) -> __m256 {
            unsafe { _mm256_set1_ps(*self.d.add(blk * self.n + t)) }
        }
        #[inline(always)]
        unsafe fn s(&self, t: usize, blk: usize) -> __m256 {
            unsafe { _mm256_set1_ps(*self.s.add(blk * self.n + t)) }
        }
        /// 32 × Σq of half `h` of the block: the unsigned offset of Q6_K values times the sum.
        #[inline(always)]
        unsafe fn half32(&self, t: usize, blk: usize, h: usize) -> __m256i {
            unsafe { _mm256_set1_epi32(32 * *self.halves.add(2 * (blk * self.n + t) + h)) }
        }
    }

    #[inline(always)]
    unsafe fn load(p: *const u8) -> __m256i {
        unsafe { _mm256_loadu_si256(p as *const __m256i) }
    }

    /// 8 f16 values (one per row) as f32.
    #[inline(always)]
    unsafe fn f16x8(p: *const u8) -> __m256 {
        unsafe { _mm256_cvtph_ps(_mm_loadu_si128(p as *const __m128i)) }
    }

    /// Σ over steps `s` of `w[s]` · the token's values `4s..4s+4` (broadcast): per row, in two
    /// chains so consecutive `vpdpbusd`s do not wait on each other.
    #[inline(always)]
    unsafe fn dot<const N: usize>(w: &[__m256i; N], a: *const i8) -> __m256i {
        unsafe {
            let at = |s: usize| _mm256_set1_epi32(std::ptr::read_unaligned(a.add(4 * s) as *const i32));
            let mut x = _mm256_dpbusd_epi32(_mm256_setzero_si256(), w[0], at(0));
            let mut y = _mm256_dpbusd_epi32(_mm256_setzero_si256(), w[1], at(1));
            let mut s = 2;
            while s + 1 < N {
                x = _mm256_dpbusd_epi32(x, w[s], at(s));
                y = _mm256_dpbusd_epi32(y, w[s + 1], at(s + 1));
                s += 2;
            }
            _mm256_add_epi32(x, y)
        }
    }

    /// Low (`HIGH == false`) or high nibbles of each byte.
    #[inline(always)]
    unsafe fn nibble<const HIGH: bool>(raw: __m256i) -> __m256i {
        unsafe {
            let m4 = _mm256_set1_epi8(0x0F);
            if HIGH { _mm256_and_si256(_mm256_srli_epi16(raw, 4), m4) } else { _mm256_and_si256(raw, m4) }
        }
    }

    /// A packed block format: multiplies one block of a group (at `p`) with `T` tokens.
    trait Packed {
        /// 32-value activation blocks per weight block.
        const SUBS: usize;
        unsafe fn block<const T: usize>(p: *const u8, a: Acts, blk0: usize, t0: usize, acc: &mut [__m256; T]);
    }

    /// The 32-value formats: unpacked values (unsigned), scale, and the coefficient of the
    /// activation sum (the format's offset or minimum).
    trait Simple {
        unsafe fn unpack(p: *const u8) -> ([__m256i; 8], __m256, __m256);
    }

    /// 4 vectors of nibble bytes → values 4s..4s+4 for s in 0..8.
    #[inline(always)]
    unsafe fn nibbles(p: *const u8) -> [__m256i; 8] {
        unsafe {
            let raw: [__m256i; 4] = std::array::from_fn(|k| load(p.add(32 * k)));
            std::array::from_fn(|s| if s < 4 { nibble::<false>(raw[s]) } else { nibble::<true>(raw[s - 4]) })
        }
    }

    struct Q4_0;
    impl Simple for Q4_0 {
        #[inline(always)]
        unsafe fn unpack(p: *const u8) -> ([__m256i; 8], __m256, __m256) {
            unsafe {
                let d = f16x8(p);
                (nibbles(p.add(16)), d, _mm256_mul_ps(d, _mm256_set1_ps(-8.0)))
            }
        }
    }

    struct Q4_1;
    impl Simple for Q4_1 {
        #[inline(always)]
        unsafe fn unpack(p: *const u8) -> ([__m256i; 8], __m256, __m256) {
            unsafe { (nibbles(p.add(32)), f16x8(p), f16x8(p.add(16))) }
        }
    }

    struct Q5_0;
    impl Simple for Q5_0 {
        #[inline(always)]
        unsafe fn unpack(p: *const u8) -> ([__m256i; 8], __m256, __m256) {
            unsafe {
                let d = f16x8(p);
                let h = load(p.add(16));
                let m10 = _mm256_set1_epi8(0x10);
                // Bit s of each byte is the fifth bit of step s's value: move it to bit 4 (the
                // 16-bit shifts bring no neighbour byte's bit to bit 4 for these distances).
                let hb = [
                    _mm256_slli_epi16(h, 4),
                    _mm256_slli_epi16(h, 3),
                    _mm256_slli_epi16(h, 2),
                    _mm256_slli_epi16(h, 1),
                    h,
                    _mm256_srli_epi16(h, 1),
                    _mm256_srli_epi16(h, 2),
                    _mm256_srli_epi16(h, 3),
                ];
                let lo = nibbles(p.add(48));
                let q = std::array::from_fn(|s| _mm256_or_si256(lo[s], _mm256_and_si256(hb[s], m10)));
                (q, d, _mm256_mul_ps(d, _mm256_set1_ps(-16.0)))
            }
        }
    }

    struct Q8_0;
    impl Simple for Q8_0 {
        #[inline(always)]
        unsafe fn unpack(p: *const u8) -> ([__m256i; 8], __m256, __m256) {
            unsafe {
                let d = f16x8(p);
                (std::array::from_fn(|s| load(p.add(16 + 32 * s))), d, _mm256_mul_ps(d, _mm256_set1_ps(-128.0)))
            }
        }
    }

    struct S32<B>(std::marker::PhantomData<B>);

    impl<B: Simple> Packed for S32<B> {
        const SUBS: usize = 1;
        #[inline(always)]
        unsafe fn block<const T: usize>(p: *const u8, a: Acts, blk: usize, t0: usize, acc: &mut [__m256; T]) {
            unsafe {
                let (w, d, m) = B::unpack(p);
                for t in 0..T {
                    let i = dot(&w, a.q(t0 + t, blk));
                    acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i), _mm256_mul_ps(d, a.d(t0 + t, blk)), acc[t]);
                    acc[t] = _mm256_fmadd_ps(m, a.s(t0 + t, blk), acc[t]);
                }
            }
        }
    }

    /// 8 bytes (one per row) widened to i32 (`SIGNED`) or u32, as f32.
    #[inline(always)]
    unsafe fn bytes8<const SIGNED: bool>(p: *const u8) -> __m256i {
        unsafe {
            let b = _mm_loadl_epi64(p as *const __m128i);
            if SIGNED { _mm256_cvtepi8_epi32(b) } else { _mm256_cvtepu8_epi32(b) }
        }
    }

    struct Q4K;

    /// Sub-block `2c + HIGH` of a Q4_K block (`p`): its values are the low or high nibbles of
    /// chunk `c`. Generic over the nibble so each sub-block's code is straight-line.
    #[inline(always)]
    unsafe fn q4k_sub<const HIGH: bool, const T: usize>(p: *const u8, c: usize, d: __m256, dmin: __m256, a: Acts, blk0: usize, t0: usize, acc: &mut [__m256; T]) {
        unsafe {
            let j = 2 * c + HIGH as usize;
            let sc = _mm256_mul_ps(_mm256_cvtepi32_ps(bytes8::<false>(p.add(32 + 8 * j))), d);
            let mn = _mm256_mul_ps(_mm256_cvtepi32_ps(bytes8::<false>(p.add(96 + 8 * j))), dmin);
            let chunk = p.add(160 + 256 * c);
            let w: [__m256i; 8] = std::array::from_fn(|k| nibble::<HIGH>(load(chunk.add(32 * k))));
            let blk = blk0 + j;
            for t in 0..T {
                let i = dot(&w, a.q(t0 + t, blk));
                acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i), _mm256_mul_ps(sc, a.d(t0 + t, blk)), acc[t]);
                acc[t] = _mm256_fnmadd_ps(mn, a.s(t0 + t, blk), acc[t]);
            }
        }
    }

    impl Packed for Q4K {
        const SUBS: usize = 8;
        #[inline(always)]
        unsafe fn block<const T: usize>(p: *const u8, a: Acts, blk0: usize, t0: usize, acc: &mut [__m256; T]) {
            unsafe {
                let (d, dmin) = (f16x8(p), f16x8(p.add(16)));
                for c in 0..4 {
                    q4k_sub::<false, T>(p, c, d, dmin, a, blk0, t0, acc);
                    q4k_sub::<true, T>(p, c, d, dmin, a, blk0, t0, acc);
                }
            }
        }
    }

    struct Q6K;

    /// Sub-block `j = 4g + M` of a Q6_K block (`p`): top 2 bits from bits `2M..2M+2` of quad
    /// `g`'s, low 4 bits from the low (`M` even) or high nibbles of the quad's pair `M / 2`.
    #[inline(always)]
    unsafe fn q6k_sub<const M: usize, const T: usize>(p: *const u8, g: usize, d: __m256, a: Acts, blk0: usize, t0: usize, acc: &mut [__m256; T]) {
        unsafe {
            let j = 4 * g + M;
            let hi_src = p.add(144 + 768 * g);
            let lo_src = hi_src.add(256 * (1 + M / 2));
            let m30 = _mm256_set1_epi8(0x30);
            let w: [__m256i; 8] = std::array::from_fn(|k| {
                let l = load(lo_src.add(32 * k));
                let l = if M % 2 == 1 { nibble::<true>(l) } else { nibble::<false>(l) };
                let h = load(hi_src.add(32 * k));
                // Bits 2M..2M+2 to bits 4..6 (no neighbour byte's bits land there).
                let h = match M {
                    0 => _mm256_slli_epi16(h, 4),
                    1 => _mm256_slli_epi16(h, 2),
                    2 => h,
                    _ => _mm256_srli_epi16(h, 2),
                };
                _mm256_or_si256(l, _mm256_and_si256(h, m30))
            });
            let (w_lo, w_hi) = ([w[0], w[1], w[2], w[3]], [w[4], w[5], w[6], w[7]]);
            let (s_lo, s_hi) = (bytes8::<true>(p.add(16 + 16 * j)), bytes8::<true>(p.add(24 + 16 * j)));
            let blk = blk0 + j;
            for t in 0..T {
                let q = a.q(t0 + t, blk);
                let lo = _mm256_sub_epi32(dot(&w_lo, q), a.half32(t0 + t, blk, 0));
                let hi = _mm256_sub_epi32(dot(&w_hi, q.add(16)), a.half32(t0 + t, blk, 1));
                let i = _mm256_add_epi32(_mm256_mullo_epi32(lo, s_lo), _mm256_mullo_epi32(hi, s_hi));
                acc[t] = _mm256_fmadd_ps(_mm256_cvtepi32_ps(i), _mm256_mul_ps(d, a.d(t0 + t, blk)), acc[t]);
            }
        }
    }

    impl Packed for Q6K {
        const SUBS: usize = 8;
        #[inline(always)]
        unsafe fn block<const T: usize>(p: *const u8, a: Acts, blk0: usize, t0: usize, acc: &mut [__m256; T]) {
            unsafe {
                let d = f16x8(p);
                for g in 0..2 {
                    q6k_sub::<0, T>(p, g, d, a, blk0, t0, acc);
                    q6k_sub::<1, T>(p, g, d, a, blk0, t0, acc);
                    q6k_sub::<2, T>(p, g, d, a, blk0, t0, acc);
                    q6k_sub::<3, T>(p, g, d, a, blk0, t0, acc);
                }
            }
        }
    }

    /// Computes `W[rows] · a` for whole groups of 8 rows, writing `out[t * stride + off + r]`.
    #[target_feature(enable = "avx2,fma,f16c,avx512f,avx512vl,avx512bw,avx512vnni")]
    pub(super) unsafe fn gemm_rows(w: &QMatrix, a: &QActs, rows: std::ops::Range<usize>, out: *mut f32, stride: usize, off: usize) {
        unsafe {
            match w.ty {
                QType::Q4_0 => drive::<S32<Q4_0>>(w, a, rows, out, stride, off),
                QType::Q4_1 => drive::<S32<Q4_1>>(w, a, rows, out, stride, off),
                QType::Q5_0 => drive::<S32<Q5_0>>(w, a, rows, out, stride, off),
                QType::Q8_0 => drive::<S32<Q8_0>>(w, a, rows, out, stride, off),
                QType::Q4K => drive::<Q4K>(w, a, rows, out, stride, off),
                QType::Q6K => drive::<Q6K>(w, a, rows, out, stride, off),
            }
        }
    }

    #[inline(always)]
    unsafe fn drive<P: Packed>(w: &QMatrix, a: &QActs, rows: std::ops::Range<usize>, out: *mut f32, stride: usize, off: usize) {
        unsafe {
            let acts = Acts { qs: a.qs.as_ptr(), d: a.d.as_ptr(), s: a.s.as_ptr(), halves: a.half_sums.as_ptr(), cols: a.cols, n: a.n };
            let bytes = QMatrix::packed_block_bytes(w.ty);
            let blocks = w.cols / (32 * P::SUBS);
            for g in rows.start / 8..rows.end / 8 {
                let base = w.data.as_ptr().add(g * blocks * bytes);
                let col = off + 8 * g;
                let mut t0 = 0;
                while t0 + 8 <= a.n {
                    tile::<P, 8>(base, blocks, bytes, acts, t0, out, stride, col);
                    t0 += 8;
                }
                // The rest in one tile: each tile is a pass over the group's weights.
                match a.n - t0 {
                    0 => {}
                    1 => tile::<P, 1>(base, blocks, bytes, acts, t0, out, stride, col),
                    2 => tile::<P, 2>(base, blocks, bytes, acts, t0, out, stride, col),
                    3 => tile::<P, 3>(base, blocks, bytes, acts, t0, out, stride, col),
                    4 => tile::<P, 4>(base, blocks, bytes, acts, t0, out, stride, col),
                    5 => tile::<P, 5>(base, blocks, bytes, acts, t0, out, stride, col),
                    6 => tile::<P, 6>(base, blocks, bytes, acts, t0, out, stride, col),
                    _ => tile::<P, 7>(base, blocks, bytes, acts, t0, out, stride, col),
                }
            }
        }
    }

    #[inline(always)]
    #[allow(clippy::too_many_arguments)]
    unsafe fn tile<P: Packed, const T: usize>(base: *const u8, blocks: usize, bytes: usize, a: Acts, t0: usize, out: *mut f32, stride: usize, col: usize) {
        unsafe {
            let mut acc = [_mm256_setzero_ps(); T];
            // A few tokens (decode, a drafted run) stream the weights from memory: where
            // [`weight_prefetch`] says so, each block asks for the bytes that far ahead. A
            // prompt's tiles reuse each group's weights from cache and need none.
            let dist = if a.n <= 8 { super::weight_prefetch() } else { 0 };
            for b in 0..blocks {
                if dist > 0 {
                    // Past the matrix's end near its last rows: a prefetch never faults, and
                    // the address is only computed (wrapping), never dereferenced.
                    let ahead = base.wrapping_add(b * bytes + dist);
                    let mut l = 0;
                    while l < bytes {
                        _mm_prefetch::<_MM_HINT_T0>(ahead.wrapping_add(l) as *const i8);
                        l += 64;
                    }
                }
                P::block::<T>(base.add(b * bytes), a, b * P::SUBS, t0, &mut acc);
            }
            for t in 0..T {
                _mm256_storeu_ps(out.add((t0 + t) * stride + col), acc[t]);
            }
        }
    }
}


#[cfg(test)]
mod tests {
    use super::super::quant::{Layout, QActs, QMatrix, QType, dequantize_row};
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
        a.quantize(Isa::detect(), &x, n, cols);
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

    /// The packed (VNNI) kernels agree with the scalar reference on the unpacked matrix, for
    /// every format and tile width, row ranges of whole groups included.
    #[test]
    fn packed_kernels_match_the_reference() {
        let isa = Isa::detect();
        if !isa.packs() {
            eprintln!("this CPU has no AVX-512 VNNI: the packed kernels are not used here");
            return;
        }
        for (ty, n) in TYPES.iter().flat_map(|t| [1, 2, 3, 4, 5, 6, 7, 8, 9, 14, 15, 19].map(|n| (*t, n))) {
            let (rows, cols) = (24, 768);
            let mut w = matrix(ty, rows, cols, 9);
            let (_, a) = acts(n, cols, 21);
            let want: Vec<f32> = (0..n).flat_map(|t| (0..rows).map(|r| dot_row_scalar(ty, w.row(r), &a, t)).collect::<Vec<_>>()).collect();
            assert!(w.pack8(), "{ty:?}: 24 rows pack");
            assert_eq!(w.data.len(), rows / 8 * cols / ty.block_elems() * QMatrix::packed_block_bytes(ty));
            let mut got = vec![f32::NAN; n * rows];
            gemm(isa, &w, &a, 8..rows, SyncPtr(got.as_mut_ptr()), rows, 0);
            gemm(isa, &w, &a, 0..8, SyncPtr(got.as_mut_ptr()), rows, 0);
            for (i, (g, want)) in got.iter().zip(&want).enumerate() {
                assert!((g - want).abs() <= 1e-4 * want.abs().max(1.0), "{ty:?} n{n} t{} r{}: {g} vs {want}", i / rows, i % rows);
            }
        }
        let mut odd = matrix(QType::Q4K, 12, 256, 1);
        assert!(!odd.pack8(), "12 rows are not whole groups of 8");
        assert_eq!(odd.layout, Layout::Rows);
    }

    /// The SIMD quantiser gives the scalar one's bytes, scale and half sums, ties (x.5 after
    /// scaling, which `round` takes away from zero) and an all-zero block included.
    #[test]
    fn quantize_block_matches_the_scalar_path() {
        let isa = Isa::detect();
        let mut blocks: Vec<Vec<f32>> = (0..200u64).map(|seed| bytes(32, seed + 1).iter().map(|&b| (b as f32 - 128.0) / (1.0 + (seed % 9) as f32)).collect()).collect();
        // amax 127: every value is its own scaled value, so k + 0.5 is an exact tie.
        blocks.push((0..32).map(|i| if i == 0 { 127.0 } else { (i as f32 - 16.0) * 3.0 + 0.5 }).collect());
        blocks.push((0..32).map(|i| if i == 31 { -127.0 } else { -(i as f32) - 0.5 }).collect());
        blocks.push(vec![0.0; 32]);
        for (k, x) in blocks.iter().enumerate() {
            let (mut q, mut want) = ([0i8; 32], [0i8; 32]);
            let got = quantize_block(isa, x, &mut q);
            let reference = quantize_block(Isa::Scalar, x, &mut want);
            assert_eq!((got, q), (reference, want), "block {k}");
        }
    }

    /// The SIMD gated activation agrees with silu(g)·u, at the tails of the exponential too.
    #[test]
    fn swiglu_matches_the_formula() {
        let isa = Isa::detect();
        let mut gate: Vec<f32> = bytes(203, 3).iter().map(|&b| (b as f32 - 128.0) / 12.0).collect();
        gate[..6].copy_from_slice(&[0.0, -100.0, 100.0, -87.5, 88.5, 1e-7]);
        let up: Vec<f32> = bytes(203, 4).iter().map(|&b| (b as f32 - 128.0) / 50.0).collect();
        let mut out = vec![f32::NAN; 203];
        swiglu(isa, &gate, &up, &mut out);
        for i in 0..203 {
            let (g, u) = (gate[i] as f64, up[i] as f64);
            let want = g / (1.0 + (-g).exp()) * u;
            assert!((out[i] as f64 - want).abs() <= 1e-6 * want.abs() + 1e-30, "lane {i}: silu({g})·{u} = {} vs {want}", out[i]);
        }
    }

    /// Both head widths with a SIMD kernel (64: SmolLM2, Qwen 0.5B; 128: Qwen 1.5B).
    #[test]
    fn attention_kernel_matches_the_plain_formula() {
        let isa = Isa::detect();
        for (hd, ctx) in [64, 128].into_iter().flat_map(|hd| [1, 7, 8, 9, 64, 301].map(|c| (hd, c))) {
            let q: Vec<f32> = (0..hd).map(|i| ((i * 37 % 64) as f32 - 32.0) / 16.0).collect();
            let k: Vec<f16> = (0..ctx * hd).map(|i| f16::from_f32(((i * 53 % 97) as f32 - 48.0) / 24.0)).collect();
            let v: Vec<f16> = (0..ctx * hd).map(|i| f16::from_f32(((i * 29 % 89) as f32 - 44.0) / 30.0)).collect();
            let scale = 0.125;
            let s: Vec<f64> = (0..ctx).map(|j| (0..hd).map(|i| q[i] as f64 * k[j * hd + i].to_f64()).sum::<f64>() * scale).collect();
            let m = s.iter().cloned().fold(f64::MIN, f64::max);
            let e: Vec<f64> = s.iter().map(|x| (x - m).exp()).collect();
            let z: f64 = e.iter().sum();
            let mut scores = vec![0f32; ctx];
            let mut out = vec![0f32; hd];
            attend(isa, &q, &k, &v, ctx, scale as f32, &mut scores, &mut out);
            let mut reference = vec![0f32; hd];
            attend(Isa::Scalar, &q, &k, &v, ctx, scale as f32, &mut scores, &mut reference);
            for i in 0..hd {
                assert!((out[i] - reference[i]).abs() < 1e-5 * (1.0 + reference[i].abs()), "hd {hd} ctx {ctx}: simd vs scalar");
                let want: f64 = (0..ctx).map(|j| e[j] / z * v[j * hd + i].to_f64()).sum();
                assert!((out[i] as f64 - want).abs() < 1e-5 * (1.0 + want.abs()), "hd {hd} ctx {ctx} lane {i}: {} vs {want}", out[i]);
            }
        }
    }
}

#[cfg(test)]
mod speed {
    use super::super::quant::{QActs, QMatrix, QType};
    use super::*;

    /// Kernel throughput, for tuning: `cargo test --release -p script kernel_speed -- --ignored --nocapture`
    /// (`KERNEL_SPEED_ONLY=Q6K` for one format; the 65536-row matrices do not fit the caches;
    /// the matrices are on 2 MiB pages unless `EVERCAST_HUGE_PAGES=0`).
    #[test]
    #[ignore = "timing"]
    fn kernel_speed() {
        let isa = Isa::detect();
        let only = std::env::var("KERNEL_SPEED_ONLY").ok();
        for (ty, rows, cols) in [(QType::Q4K, 65536, 1536), (QType::Q6K, 65536, 1536), (QType::Q8_0, 151936, 896), (QType::Q5_0, 9728, 896), (QType::Q4_1, 1536, 576), (QType::Q4_1, 576, 1536), (QType::Q8_0, 8192, 576), (QType::Q5_0, 4864, 896), (QType::Q6K, 896, 4864), (QType::Q4K, 896, 4864)] {
            if only.as_deref().is_some_and(|o| o != format!("{ty:?}")) {
                continue;
            }
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
            let mut w = QMatrix::new(ty, rows, cols, data).unwrap();
            if isa.packs() {
                w.pack8();
            }
            // As a loaded model's are (`EVERCAST_HUGE_PAGES=0` to compare with 4 KiB pages).
            super::super::huge::gather(&mut [&mut w.data]);
            for n in [1usize, 4, 64] {
                let x: Vec<f32> = (0..n * cols).map(|i| ((i * 7) % 13) as f32 - 6.0).collect();
                let mut a = QActs::default();
                a.quantize(isa, &x, n, cols);
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
