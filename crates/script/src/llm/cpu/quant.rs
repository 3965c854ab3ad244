//! Quantised weight blocks (the GGUF/ggml layouts, kept as they are in the file, or regrouped
//! 8 rows at a time for the VNNI kernels: [`Layout`]) and the activation format the kernels
//! multiply them with.
//!
//! Activations are quantised per token in blocks of 32: int8 values, the block's scale `d` and
//! `s = d * Σq` (which folds the weight formats' offsets and minimums into one multiply).
//! Every weight block size (32, or 256 for k-quants) is a multiple of 32, so one activation
//! format serves all weight types.
//!
//! The scalar code here is the reference the SIMD kernels are tested against, and the path
//! used where no SIMD kernel applies.

use half::f16;

use super::huge::Bytes;
use super::kernels::{Isa, quantize_block};

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

/// How a matrix's bytes are laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Layout {
    /// As in the GGUF file: row after row, each a run of blocks.
    Rows,
    /// Groups of 8 rows, block by block, each block's values regrouped so that one 32-bit lane
    /// holds 4 consecutive values of one row ([`QMatrix::pack8`]): a single `vpdpbusd` then
    /// advances 8 rows' dot products by 4 values each, with no horizontal sums.
    Packed8,
}

/// A weight matrix: `rows` rows of `cols` values, each row a run of blocks.
pub(crate) struct QMatrix {
    pub ty: QType,
    pub rows: usize,
    pub cols: usize,
    pub row_bytes: usize,
    pub layout: Layout,
    pub data: Bytes,
}

impl QMatrix {
    pub(crate) fn new(ty: QType, rows: usize, cols: usize, data: Vec<u8>) -> Option<QMatrix> {
        if !cols.is_multiple_of(ty.block_elems()) {
            return None;
        }
        let row_bytes = cols / ty.block_elems() * ty.block_bytes();
        (data.len() == rows * row_bytes).then_some(QMatrix { ty, rows, cols, row_bytes, layout: Layout::Rows, data: data.into() })
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
        assert_eq!(self.layout, Layout::Rows, "rows of a packed matrix are not contiguous");
        &self.data[r * self.row_bytes..(r + 1) * self.row_bytes]
    }

    /// Bytes of one block of a group of 8 rows in [`Layout::Packed8`].
    pub(crate) fn packed_block_bytes(ty: QType) -> usize {
        match ty {
            // The pre-decoded 6-bit scales and minimums take 32 bytes more than the packed ones.
            QType::Q4K => 8 * 144 + 32,
            _ => 8 * ty.block_bytes(),
        }
    }

    /// Regroups the matrix into [`Layout::Packed8`] (for the VNNI kernels). Per group of 8 rows
    /// and block, with `v(i, j)` value `j` of row `i` and "4-lanes" meaning 8 rows × 4 bytes
    /// (row `i` in bytes `4i..4i+4`):
    /// - Q4_0, Q4_1, Q5_0: the 8 f16 scales (Q4_1: then the 8 f16 minimums; Q5_0: then 32 bytes
    ///   whose byte `4i+p` holds in bit `s` the fifth bit of `v(i, 4s+p)`), then 4 4-lanes of
    ///   the GGUF's nibble bytes `4k..4k+4` (low nibbles: values `4k..`, high: `16+4k..`).
    /// - Q8_0: the 8 scales, then 8 4-lanes of values `4s..4s+4`, offset by 128 to be unsigned.
    /// - Q4_K: 8 `d`, 8 `dmin` (f16), the decoded scales then minimums as `[sub-block][row]`
    ///   bytes, then per 64-value chunk `c` 8 4-lanes of nibble bytes `32c+4k..` (low nibbles:
    ///   sub-block `2c`, high: `2c+1`).
    /// - Q6_K: 8 `d`, the 16 scales as `[16-value group][row]`, then per 4 sub-blocks `4g..`:
    ///   8 4-lanes of their values' top 2 bits (bits `2m..2m+2`: sub-block `4g+m`), then for
    ///   each of their two pairs 8 4-lanes of the low 4 bits (low nibble: the even sub-block);
    ///   in the order the kernel reads them, so the block streams front to back. Values are
    ///   stored as in the file, offset by 32 to be unsigned.
    ///
    /// Returns false (and changes nothing) when the row count is not a multiple of 8.
    pub(crate) fn pack8(&mut self) -> bool {
        if self.layout == Layout::Packed8 {
            return true;
        }
        if !self.rows.is_multiple_of(8) {
            return false;
        }
        let (ty, bb) = (self.ty, self.ty.block_bytes());
        let nb = self.row_bytes / bb;
        let mut out = Vec::with_capacity(self.rows / 8 * nb * Self::packed_block_bytes(ty));
        for g in 0..self.rows / 8 {
            for b in 0..nb {
                let blk: [&[u8]; 8] = std::array::from_fn(|i| &self.data[(g * 8 + i) * self.row_bytes + b * bb..][..bb]);
                let f16s = |out: &mut Vec<u8>, at: usize| {
                    for r in &blk {
                        out.extend_from_slice(&r[at..at + 2]);
                    }
                };
                match ty {
                    QType::Q4_0 => {
                        f16s(&mut out, 0);
                        copy_lanes4(&mut out, 4, &blk, 2);
                    }
                    QType::Q4_1 => {
                        f16s(&mut out, 0);
                        f16s(&mut out, 2);
                        copy_lanes4(&mut out, 4, &blk, 4);
                    }
                    QType::Q5_0 => {
                        f16s(&mut out, 0);
                        for r in &blk {
                            let qh = u32::from_le_bytes([r[2], r[3], r[4], r[5]]);
                            for p in 0..4 {
                                out.push((0..8).map(|s| (((qh >> (4 * s + p)) & 1) << s) as u8).sum());
                            }
                        }
                        copy_lanes4(&mut out, 4, &blk, 6);
                    }
                    QType::Q8_0 => {
                        f16s(&mut out, 0);
                        let at = out.len();
                        copy_lanes4(&mut out, 8, &blk, 2);
                        out[at..].iter_mut().for_each(|q| *q ^= 0x80);
                    }
                    QType::Q4K => {
                        f16s(&mut out, 0);
                        f16s(&mut out, 2);
                        let sm: [[(u8, u8); 8]; 8] = std::array::from_fn(|i| std::array::from_fn(|j| q4k_scale_min(j, &blk[i][4..16])));
                        out.extend((0..8).flat_map(|j| sm.iter().map(move |row| row[j].0)));
                        out.extend((0..8).flat_map(|j| sm.iter().map(move |row| row[j].1)));
                        for c in 0..4 {
                            copy_lanes4(&mut out, 8, &blk, 16 + 32 * c);
                        }
                    }
                    QType::Q6K => {
                        f16s(&mut out, 208);
                        out.extend((0..16).flat_map(|grp| blk.iter().map(move |r| r[192 + grp])));
                        // Per row, the six 32-byte runs in the packed order (top bits of
                        // quad 0, low bits of pairs 0 and 1, then the same for quad 1).
                        let runs: [[u8; 192]; 8] = std::array::from_fn(|i| {
                            let u = q6k_values(blk[i]).map(|v| (v + 32) as u8);
                            let mut r = [0u8; 192];
                            for quad in 0..2 {
                                for v in 0..32 {
                                    r[96 * quad + v] = (0..4).map(|m| (u[32 * (4 * quad + m) + v] >> 4) << (2 * m)).sum();
                                    for (n, pair) in [2 * quad, 2 * quad + 1].into_iter().enumerate() {
                                        r[96 * quad + 32 * (n + 1) + v] = (u[64 * pair + v] & 0xF) | ((u[64 * pair + 32 + v] & 0xF) << 4);
                                    }
                                }
                            }
                            r
                        });
                        let runs: [&[u8]; 8] = std::array::from_fn(|i| &runs[i][..]);
                        for run in 0..6 {
                            copy_lanes4(&mut out, 8, &runs, 32 * run);
                        }
                    }
                }
            }
        }
        debug_assert_eq!(out.len(), self.rows / 8 * nb * Self::packed_block_bytes(ty));
        self.data = out.into();
        self.layout = Layout::Packed8;
        true
    }

    /// Row `r` as f32 (embedding lookups, tests).
    pub(crate) fn dequantize_row(&self, r: usize, out: &mut [f32]) {
        dequantize_row(self.ty, self.row(r), &mut out[..self.cols]);
    }
}

/// Appends `steps` "4-lanes" of [`QMatrix::pack8`] taken from each row's bytes from `at`: for
/// each step `k`, rows 0..8 in turn, each with its bytes `at + 4k..at + 4k + 4`.
fn copy_lanes4(out: &mut Vec<u8>, steps: usize, blk: &[&[u8]; 8], at: usize) {
    for k in 0..steps {
        for r in blk {
            out.extend_from_slice(&r[at + 4 * k..at + 4 * k + 4]);
        }
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
    /// Σq of each half block, `[block][token][half]` (Q6_K's scales cover 16 values).
    pub half_sums: Vec<i32>,
}

impl QActs {
    /// Quantises `n` rows of `cols` values (`cols` a multiple of 32).
    pub(crate) fn quantize(&mut self, isa: Isa, x: &[f32], n: usize, cols: usize) {
        debug_assert!(cols.is_multiple_of(32) && x.len() >= n * cols);
        self.cols = cols;
        self.n = n;
        let nb = cols / 32;
        self.qs.resize(n * cols, 0);
        // A little slack past the end lets kernels load four tokens' scales at once.
        self.d.resize(nb * n + 4, 0.0);
        self.s.resize(nb * n + 4, 0.0);
        self.half_sums.resize(2 * nb * n, 0);
        for t in 0..n {
            let xs = &x[t * cols..(t + 1) * cols];
            let qs = &mut self.qs[t * cols..(t + 1) * cols];
            for (b, (xb, qb)) in xs.chunks_exact(32).zip(qs.chunks_exact_mut(32)).enumerate() {
                let (d, halves) = quantize_block(isa, xb, qb);
                self.d[b * n + t] = d;
                self.s[b * n + t] = d * (halves[0] + halves[1]) as f32;
                self.half_sums[2 * (b * n + t)..][..2].copy_from_slice(&halves);
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
