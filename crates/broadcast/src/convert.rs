//! RGBA → I420 (BT.709, limited range) in Rust, converting only what changed.
//!
//! A show's frame is mostly still: the set, the card and the subtitle hold for seconds while
//! the host and the ticker move. The converter keeps the previous frame and its I420 planes and
//! redoes only the tiles (64×2 pixels) whose pixels changed — a third of the frame or less —
//! instead of converting every pixel of every frame as `videoconvert` must.

/// Tile width in pixels (two rows high: one row of chroma).
const TILE: usize = 64;

pub struct I420Converter {
    width: usize,
    height: usize,
    prev: Vec<u8>,
    /// Y plane, then U, then V, packed as GStreamer's default I420 layout for even sizes.
    planes: Vec<u8>,
    primed: bool,
    /// Tiles converted by the last `update`, and tiles in a frame (for figures).
    pub last_tiles: usize,
    pub tiles_per_frame: usize,
}

// BT.709 limited range, 16-bit fixed point.
const YR: i32 = 11966; // 0.18259 * 65536
const YG: i32 = 40254; // 0.61423
const YB: i32 = 4064; // 0.06201
const UR: i32 = -6596; // -0.10064
const UG: i32 = -22189; // -0.33857
const UB: i32 = 28784; // 0.43922
const VR: i32 = 28784; // 0.43922
const VG: i32 = -26145; // -0.39894
const VB: i32 = -2639; // -0.04027

impl I420Converter {
    /// `width` and `height` must be even.
    pub fn new(width: u32, height: u32) -> I420Converter {
        let (w, h) = (width as usize, height as usize);
        I420Converter {
            width: w,
            height: h,
            prev: vec![0; w * h * 4],
            planes: vec![0; w * h * 3 / 2],
            primed: false,
            last_tiles: 0,
            tiles_per_frame: w.div_ceil(TILE) * (h / 2),
        }
    }

    pub fn planes(&self) -> &[u8] {
        &self.planes
    }

    /// Brings the planes up to date with `rgba` (w·h·4 bytes).
    pub fn update(&mut self, rgba: &[u8]) {
        let (w, h) = (self.width, self.height);
        debug_assert_eq!(rgba.len(), w * h * 4);
        let (yp, uv) = self.planes.split_at_mut(w * h);
        let (up, vp) = uv.split_at_mut(w * h / 4);
        let mut tiles = 0;
        for cy in 0..h / 2 {
            let r0 = 2 * cy * w * 4;
            let r1 = r0 + w * 4;
            let mut x0 = 0;
            while x0 < w {
                let x1 = (x0 + TILE).min(w);
                let (a, b) = (r0 + x0 * 4..r0 + x1 * 4, r1 + x0 * 4..r1 + x1 * 4);
                if self.primed && rgba[a.clone()] == self.prev[a.clone()] && rgba[b.clone()] == self.prev[b.clone()] {
                    x0 = x1;
                    continue;
                }
                tiles += 1;
                self.prev[a.clone()].copy_from_slice(&rgba[a]);
                self.prev[b.clone()].copy_from_slice(&rgba[b]);
                for x in (x0..x1).step_by(2) {
                    let mut sr = 0;
                    let mut sg = 0;
                    let mut sb = 0;
                    for (row, off) in [(2 * cy, r0), (2 * cy + 1, r1)] {
                        for dx in 0..2 {
                            let p = off + (x + dx) * 4;
                            let (r, g, b) = (i32::from(rgba[p]), i32::from(rgba[p + 1]), i32::from(rgba[p + 2]));
                            yp[row * w + x + dx] = (((YR * r + YG * g + YB * b + 32768) >> 16) + 16) as u8;
                            sr += r;
                            sg += g;
                            sb += b;
                        }
                    }
                    // Chroma of the 2×2 block's mean colour.
                    let ci = cy * (w / 2) + x / 2;
                    up[ci] = (((UR * sr + UG * sg + UB * sb + 131072) >> 18) + 128).clamp(16, 240) as u8;
                    vp[ci] = (((VR * sr + VG * sg + VB * sb + 131072) >> 18) + 128).clamp(16, 240) as u8;
                }
                x0 = x1;
            }
        }
        self.primed = true;
        self.last_tiles = tiles;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_convert_to_bt709_limited_range() {
        let mut c = I420Converter::new(2, 2);
        for (rgb, y, u, v) in [([0u8, 0, 0], 16u8, 128u8, 128u8), ([255, 255, 255], 235, 128, 128), ([255, 0, 0], 63, 102, 240), ([0, 0, 255], 32, 240, 118)] {
            let px: Vec<u8> = (0..4).flat_map(|_| [rgb[0], rgb[1], rgb[2], 255]).collect();
            c.update(&px);
            let p = c.planes();
            assert!((i32::from(p[0]) - i32::from(y)).abs() <= 1, "{rgb:?}: Y {} vs {y}", p[0]);
            assert!((i32::from(p[4]) - i32::from(u)).abs() <= 1, "{rgb:?}: U {} vs {u}", p[4]);
            assert!((i32::from(p[5]) - i32::from(v)).abs() <= 1, "{rgb:?}: V {} vs {v}", p[5]);
        }
    }

    #[test]
    fn only_changed_tiles_are_converted() {
        let (w, h) = (256u32, 4u32);
        let mut c = I420Converter::new(w, h);
        let mut frame = vec![90u8; (w * h * 4) as usize];
        c.update(&frame);
        assert_eq!(c.last_tiles, c.tiles_per_frame);
        c.update(&frame);
        assert_eq!(c.last_tiles, 0);
        frame[(w as usize * 4) * 3 + 200 * 4] = 7; // one pixel, row 3, x 200
        c.update(&frame);
        assert_eq!(c.last_tiles, 1);
        let mut fresh = I420Converter::new(w, h);
        fresh.update(&frame);
        assert_eq!(fresh.planes(), c.planes(), "incremental and full conversions agree");
    }
}
