//! Quantised weight blocks (the GGUF/ggml layouts, kept as they are in the file) and the
//! activation format the kernels multiply them with.
//!
//! Activations are quantised per token in blocks of 32: int8 values, the block's scale `d` and
//! `s = d * Σq` (which folds the weight formats' offsets and minimums into one multiply).
//! Every weight block size (32, or 256 for k-quants) is a multiple of 32, so one activation
//! format serves all weight types.
//!
//! The scalar code here is the reference the SIMD kernels are tested against, and the path
//! used where no SIMD kernel applies.

use half::f16;

/// Weight formats with a kernel of their own. Other GGUF types are converted to `Q8_0` at load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum QType {
    Q4_0,
    Q4_1,
    Q5_0,
    Q8_0,
    Q4K,
    Q6K,
}

impl QType {
    pub(crate) fn block_elems(self) -> usize {
        match self {
            QType::Q4_0 | QType::Q4_1 | QType::Q5_0 | QType::Q8_0 => 32,
            QType::Q4K | QType::Q6K => 256,
        }
    }

    pub(crate) fn block_bytes(self) -> usize {
        match self {
            QType::Q4_0 => 18,
            QType::Q4_1 => 20,
            QType::Q5_0 => 22,
            QType::Q8_0 => 34,
            QType::Q4K => 144,
            QType::Q6K => 210,
        }
    }

    pub(crate) fn from_ggml(t: candle_core::quantized::GgmlDType) -> Option<QType> {
        use candle_core::quantized::GgmlDType as G;
        match t {
            G::Q4_0 => Some(QType::Q4_0),
            G::Q4_1 => Some(QType::Q4_1),
            G::Q5_0 => Some(QType::Q5_0),
            G::Q8_0 => Some(QType::Q8_0),
            G::Q4K => Some(QType::Q4K),
            G::Q6K => Some(QType::Q6K),
            _ => None,
        }
    }
}

/// A weight matrix: `rows` rows of `cols` values, each row a run of blocks.
pub(crate) struct QMatrix {
    pub ty: QType,
    pub rows: usize,
    pub cols: usize,
    pub row_bytes: usize,
    pub data: Vec<u8>,
}

impl QMatrix {
    pub(crate) fn new(ty: QType, rows: usize, cols: usize, data: Vec<u8>) -> Option<QMatrix> {
        if !cols.is_multiple_of(ty.block_elems()) {
            return None;
        }
        let row_bytes = cols / ty.block_elems() * ty.block_bytes();
        (data.len() == rows * row_bytes).then_some(QMatrix { ty, rows, cols, row_bytes, data })
    }

    /// Quantises f32 rows to `Q8_0` (for weight types without a kernel of their own).
    pub(crate) fn from_f32_q8_0(rows: usize, cols: usize, values: &[f32]) -> Option<QMatrix> {
        if !cols.is_multiple_of(32) || values.len() != rows * cols {
            return None;
        }
        let mut data = Vec::with_capacity(rows * cols / 32 * 34);
        for block in values.chunks_exact(32) {
            let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
            let d = amax / 127.0;
            let id = if d > 0.0 { 1.0 / d } else { 0.0 };
            data.extend_from_slice(&f16::from_f32(d).to_bits().to_le_bytes());
            data.extend(block.iter().map(|v| (v * id).round() as i8 as u8));
        }
        QMatrix::new(QType::Q8_0, rows, cols, data)
    }

    pub(crate) fn row(&self, r: usize) -> &[u8] {
        &self.data[r * self.row_bytes..(r + 1) * self.row_bytes]
    }

    /// Row `r` as f32 (embedding lookups, tests).
    pub(crate) fn dequantize_row(&self, r: usize, out: &mut [f32]) {
        dequantize_row(self.ty, self.row(r), &mut out[..self.cols]);
    }
}

#[inline]
pub(crate) fn f16_at(b: &[u8], at: usize) -> f32 {
    f16::from_bits(u16::from_le_bytes([b[at], b[at + 1]])).to_f32()
}

/// The 6-bit scale and minimum of sub-block `j` of a Q4_K block (`scales` is its 12 bytes).
#[inline]
pub(crate) fn q4k_scale_min(j: usize, scales: &[u8]) -> (u8, u8) {
    if j < 4 {
        (scales[j] & 63, scales[j + 4] & 63)
    } else {
        ((scales[j + 4] & 0x0F) | ((scales[j - 4] >> 6) << 4), (scales[j + 4] >> 4) | ((scales[j] >> 6) << 4))
    }
}

/// Values of one Q6_K block, centred (−32..31), in order.
pub(crate) fn q6k_values(b: &[u8]) -> [i8; 256] {
    let (ql, qh) = (&b[..128], &b[128..192]);
    let mut q = [0i8; 256];
    for half in 0..2 {
        let (ql, qh) = (&ql[half * 64..], &qh[half * 32..]);
        for l in 0..32 {
            let o = half * 128 + l;
            q[o] = ((ql[l] & 0xF) | ((qh[l] & 3) << 4)) as i8 - 32;
            q[o + 32] = ((ql[l + 32] & 0xF) | (((qh[l] >> 2) & 3) << 4)) as i8 - 32;
            q[o + 64] = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) as i8 - 32;
            q[o + 96] = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) as i8 - 32;
        }
    }
    q
}

/// Dequantises one row of blocks.
pub(crate) fn dequantize_row(ty: QType, row: &[u8], out: &mut [f32]) {
    let be = ty.block_elems();
    for (b, y) in row.chunks_exact(ty.block_bytes()).zip(out.chunks_exact_mut(be)) {
        match ty {
            QType::Q4_0 => {
                let d = f16_at(b, 0);
                for j in 0..16 {
                    y[j] = ((b[2 + j] & 0xF) as i32 - 8) as f32 * d;
                    y[j + 16] = ((b[2 + j] >> 4) as i32 - 8) as f32 * d;
                }
            }
            QType::Q4_1 => {
                let (d, m) = (f16_at(b, 0), f16_at(b, 2));
                for j in 0..16 {
                    y[j] = (b[4 + j] & 0xF) as f32 * d + m;
                    y[j + 16] = (b[4 + j] >> 4) as f32 * d + m;
                }
            }
            QType::Q5_0 => {
                let d = f16_at(b, 0);
                let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
                for j in 0..16 {
                    let h0 = ((qh >> j) << 4) & 0x10;
                    let h1 = (qh >> (j + 12)) & 0x10;
                    y[j] = (((b[6 + j] & 0xF) as u32 | h0) as i32 - 16) as f32 * d;
                    y[j + 16] = (((b[6 + j] >> 4) as u32 | h1) as i32 - 16) as f32 * d;
                }
            }
            QType::Q8_0 => {
                let d = f16_at(b, 0);
                for j in 0..32 {
                    y[j] = b[2 + j] as i8 as f32 * d;
                }
            }
            QType::Q4K => {
                let (d, dmin) = (f16_at(b, 0), f16_at(b, 2));
                let (scales, qs) = (&b[4..16], &b[16..144]);
                for c in 0..4 {
                    let (s0, m0) = q4k_scale_min(2 * c, scales);
                    let (s1, m1) = q4k_scale_min(2 * c + 1, scales);
                    for l in 0..32 {
                        let q = qs[32 * c + l];
                        y[64 * c + l] = d * s0 as f32 * (q & 0xF) as f32 - dmin * m0 as f32;
                        y[64 * c + 32 + l] = d * s1 as f32 * (q >> 4) as f32 - dmin * m1 as f32;
                    }
                }
            }
            QType::Q6K => {
                let d = f16_at(b, 208);
                let q = q6k_values(b);
                for (i, v) in q.iter().enumerate() {
                    let sc = b[192 + i / 16] as i8;
                    y[i] = d * sc as f32 * *v as f32;
                }
            }
        }
    }
}

/// Token activations quantised in blocks of 32 (see the module doc). Values are stored token
/// by token; the per-block `d` and `s` block by block (`[block][token]`), so a kernel working
/// on several tokens loads theirs with one vector load.
#[derive(Default)]
pub(crate) struct QActs {
    pub cols: usize,
    pub n: usize,
    pub qs: Vec<i8>,
    pub d: Vec<f32>,
    pub s: Vec<f32>,
}

impl QActs {
    /// Quantises `n` rows of `cols` values (`cols` a multiple of 32).
    pub(crate) fn quantize(&mut self, x: &[f32], n: usize, cols: usize) {
        debug_assert!(cols.is_multiple_of(32) && x.len() >= n * cols);
        self.cols = cols;
        self.n = n;
        let nb = cols / 32;
        self.qs.resize(n * cols, 0);
        // A little slack past the end lets kernels load four tokens' scales at once.
        self.d.resize(nb * n + 4, 0.0);
        self.s.resize(nb * n + 4, 0.0);
        for t in 0..n {
            let xs = &x[t * cols..(t + 1) * cols];
            let qs = &mut self.qs[t * cols..(t + 1) * cols];
            for (b, (xb, qb)) in xs.chunks_exact(32).zip(qs.chunks_exact_mut(32)).enumerate() {
                let amax = xb.iter().fold(0f32, |m, v| m.max(v.abs()));
                let d = amax / 127.0;
                let id = if d > 0.0 { 1.0 / d } else { 0.0 };
                let mut sum = 0i32;
                for (q, v) in qb.iter_mut().zip(xb) {
                    let r = (v * id).round() as i32;
                    *q = r as i8;
                    sum += r;
                }
                self.d[b * n + t] = d;
                self.s[b * n + t] = d * sum as f32;
            }
        }
    }

    #[inline]
    pub(crate) fn blocks_per_row(&self) -> usize {
        self.cols / 32
    }

    #[inline]
    pub(crate) fn d_at(&self, t: usize, b: usize) -> f32 {
        self.d[b * self.n + t]
    }

    #[inline]
    pub(crate) fn s_at(&self, t: usize, b: usize) -> f32 {
        self.s[b * self.n + t]
    }
}

/// Reference dot product of weight row `w` with activation row `t` (integer sums per block,
/// like the SIMD kernels).
pub(crate) fn dot_row_scalar(ty: QType, w: &[u8], a: &QActs, t: usize) -> f32 {
    let nb = a.blocks_per_row();
    let aq = &a.qs[t * a.cols..(t + 1) * a.cols];
    debug_assert_eq!(w.len() / ty.block_bytes() * ty.block_elems(), nb * 32);
    let ad = |b: usize| a.d_at(t, b);
    let as_ = |b: usize| a.s_at(t, b);
    let idot = |wq: &mut dyn FnMut(usize) -> i32, blk: usize| -> i32 { (0..32).map(|i| wq(i) * aq[blk * 32 + i] as i32).sum() };
    let mut acc = 0f32;
    match ty {
        QType::Q4_0 | QType::Q4_1 | QType::Q5_0 | QType::Q8_0 => {
            for (blk, b) in w.chunks_exact(ty.block_bytes()).enumerate() {
                let d = f16_at(b, 0);
                acc += match ty {
                    QType::Q4_0 => {
                        let s = idot(&mut |i| if i < 16 { (b[2 + i] & 0xF) as i32 } else { (b[2 + i - 16] >> 4) as i32 }, blk);
                        d * (ad(blk) * s as f32 - 8.0 * as_(blk))
                    }
                    QType::Q4_1 => {
                        let s = idot(&mut |i| if i < 16 { (b[4 + i] & 0xF) as i32 } else { (b[4 + i - 16] >> 4) as i32 }, blk);
                        d * ad(blk) * s as f32 + f16_at(b, 2) * as_(blk)
                    }
                    QType::Q5_0 => {
                        let qh = u32::from_le_bytes([b[2], b[3], b[4], b[5]]);
                        let s = idot(
                            &mut |i| {
                                let lo = if i < 16 { b[6 + i] & 0xF } else { b[6 + i - 16] >> 4 } as u32;
                                (lo | (((qh >> i) & 1) << 4)) as i32
                            },
                            blk,
                        );
                        d * (ad(blk) * s as f32 - 16.0 * as_(blk))
                    }
                    _ => d * ad(blk) * idot(&mut |i| b[2 + i] as i8 as i32, blk) as f32,
                };
            }
        }
        QType::Q4K => {
            for (sb, b) in w.chunks_exact(144).enumerate() {
                let (d, dmin) = (f16_at(b, 0), f16_at(b, 2));
                let (scales, qs) = (&b[4..16], &b[16..144]);
                for j in 0..8 {
                    let blk = sb * 8 + j;
                    let (sc, m) = q4k_scale_min(j, scales);
                    let (c, hi) = (j / 2, j % 2 == 1);
                    let s = idot(&mut |i| if hi { (qs[32 * c + i] >> 4) as i32 } else { (qs[32 * c + i] & 0xF) as i32 }, blk);
                    acc += d * sc as f32 * ad(blk) * s as f32 - dmin * m as f32 * as_(blk);
                }
            }
        }
        QType::Q6K => {
            for (sb, b) in w.chunks_exact(210).enumerate() {
                let d = f16_at(b, 208);
                let q = q6k_values(b);
                for j in 0..8 {
                    let blk = sb * 8 + j;
                    let mut s = 0i32;
                    for half in 0..2 {
                        let sc = b[192 + 2 * j + half] as i8 as i32;
                        let part: i32 = (0..16).map(|i| q[32 * j + 16 * half + i] as i32 * aq[blk * 32 + 16 * half + i] as i32).sum();
                        s += sc * part;
                    }
                    acc += d * ad(blk) * s as f32;
                }
            }
        }
    }
    acc
}
