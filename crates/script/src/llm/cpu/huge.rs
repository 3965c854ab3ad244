//! The model's weight matrices gathered into one block of memory on 2 MiB pages.
//!
//! Generating a token streams every weight once (~1 GB for the 1.5B), so decode runs at the
//! speed memory is read. On 4 KiB pages that read takes a TLB miss every 4 KiB: on this
//! project's 2-core VM, quiet, a plain two-thread streaming read ran at ~46 GB/s on 4 KiB pages
//! and ~65 GB/s on 2 MiB ones (one thread: +15% with a neighbour busy). Linux
//! backs anonymous memory with 2 MiB pages where `madvise(MADV_HUGEPAGE)` asks for them (the
//! kernel's default `transparent_hugepage` mode is `madvise`); elsewhere, or when the kernel
//! has none to give, the matrices keep their own vectors and work the same. The price is paid
//! once: fresh 2 MiB pages are zeroed by the kernel (on a VM, backed by the host on first
//! touch), ~2 s more for the 1.5B on that VM and 5–6 s for the 0.5B on another. A show's
//! models pay it after the start, a few matrices at a time while they are idle
//! (`LoadOptions::defer_huge_pages`), each few in an arena of their own.
//!
//! `EVERCAST_HUGE_PAGES=0` keeps the vectors (for comparisons).

use std::ops::{Deref, Range};
use std::sync::Arc;

/// A matrix's bytes: its own vector while loading, a run of the model's [`Arena`] after.
pub(crate) enum Bytes {
    Own(Vec<u8>),
    Shared(Arc<Arena>, Range<usize>),
}

impl From<Vec<u8>> for Bytes {
    fn from(v: Vec<u8>) -> Bytes {
        Bytes::Own(v)
    }
}

impl Deref for Bytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Own(v) => v,
            Bytes::Shared(a, r) => &a.bytes()[r.clone()],
        }
    }
}

impl Bytes {
    /// Whether these bytes live in an [`Arena`].
    pub(crate) fn shared(&self) -> bool {
        matches!(self, Bytes::Shared(..))
    }
}

/// One anonymous mapping, aligned to 2 MiB, written once while the model loads and only read
/// after.
#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
pub(crate) struct Arena {
    /// The mapping as `mmap` returned it (for `munmap`) and its length.
    map: *mut u8,
    map_len: usize,
    /// The 2 MiB-aligned start inside it and the bytes in use from there.
    base: *mut u8,
    len: usize,
}

// The arena is only written before it is shared (`gather`), then read.
unsafe impl Send for Arena {}
unsafe impl Sync for Arena {}

const PAGE_2M: usize = 2 << 20;
/// Each matrix starts on a cache line (the kernels' loads do not need more).
const ALIGN: usize = 64;

impl Arena {
    #[cfg(target_os = "linux")]
    fn new(len: usize) -> Option<Arena> {
        let map_len = len.div_ceil(PAGE_2M) * PAGE_2M + PAGE_2M;
        // SAFETY: a fresh private anonymous mapping; nothing else refers to it.
        unsafe {
            let map = libc::mmap(std::ptr::null_mut(), map_len, libc::PROT_READ | libc::PROT_WRITE, libc::MAP_PRIVATE | libc::MAP_ANONYMOUS, -1, 0);
            if map == libc::MAP_FAILED {
                return None;
            }
            let map = map as *mut u8;
            let base = map.add(map.align_offset(PAGE_2M));
            // Asked before the first write, so the faults that fill it take 2 MiB pages. A
            // refusal (a kernel without THP) leaves ordinary pages: still correct.
            if libc::madvise(base as *mut libc::c_void, len.div_ceil(PAGE_2M) * PAGE_2M, libc::MADV_HUGEPAGE) != 0 {
                tracing::debug!(error = %std::io::Error::last_os_error(), "madvise(MADV_HUGEPAGE) refused; weights on 4 KiB pages");
            }
            Some(Arena { map, map_len, base, len })
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn new(_len: usize) -> Option<Arena> {
        None
    }

    fn bytes(&self) -> &[u8] {
        // SAFETY: `base..base + len` lies inside the live mapping, fully written by `gather`
        // before any `Bytes::Shared` could read it.
        unsafe { std::slice::from_raw_parts(self.base, self.len) }
    }
}

impl Drop for Arena {
    fn drop(&mut self) {
        #[cfg(target_os = "linux")]
        // SAFETY: the mapping `mmap` returned, unmapped once; no `Bytes` outlive the `Arc`.
        unsafe {
            libc::munmap(self.map as *mut libc::c_void, self.map_len);
        }
    }
}

/// Moves the matrices' bytes (`QMatrix::data`), one after another, into a new [`Arena`]; each
/// vector is freed as soon as it is copied, so loading needs little more memory than the model.
/// Returns the bytes moved (0 where nothing was: turned off, no such memory on this system,
/// nothing to move, or some already in an arena).
pub(crate) fn gather(matrices: &mut [&mut Bytes]) -> usize {
    if turned_off() {
        return 0;
    }
    let starts: Vec<usize> = matrices
        .iter()
        .scan(0usize, |at, m| {
            let start = *at;
            *at += m.len().div_ceil(ALIGN) * ALIGN;
            Some(start)
        })
        .collect();
    let total = matrices.last().map_or(0, |m| starts[starts.len() - 1] + m.len());
    if total == 0 || matrices.iter().any(|m| m.shared()) {
        return 0;
    }
    let Some(arena) = Arena::new(total) else { return 0 };
    let base = arena.base;
    let arena = Arc::new(arena);
    for (m, &start) in matrices.iter_mut().zip(&starts) {
        let n = m.len();
        // SAFETY: `start + n <= total` (the ranges were laid out above without overlap), and
        // no `Bytes::Shared` reads this range before it is written here.
        unsafe { std::ptr::copy_nonoverlapping(m.as_ptr(), base.add(start), n) };
        **m = Bytes::Shared(Arc::clone(&arena), start..start + n);
    }
    total
}

/// `EVERCAST_HUGE_PAGES=0`: the weights keep their vectors.
fn turned_off() -> bool {
    std::env::var("EVERCAST_HUGE_PAGES").is_ok_and(|v| v == "0")
}

/// `v`'s bytes in an [`Arena`] of their own (a buffer read as weights are, to measure the
/// bandwidth a decode can reach); `v` itself where none can be had.
pub(crate) fn on_huge_pages(v: Vec<u8>) -> Bytes {
    let mut b = Bytes::Own(v);
    gather(&mut [&mut b]);
    b
}

/// The `AnonHugePages` of the mapping holding `addr`, in KiB, from `/proc/self/smaps`
/// (`None` where there is no such file or mapping).
#[cfg(test)]
fn huge_kib_at(addr: usize) -> Option<usize> {
    let smaps = std::fs::read_to_string("/proc/self/smaps").ok()?;
    let mut inside = false;
    for line in smaps.lines() {
        // A mapping's header starts with its range, `lo-hi` in hex; its fields follow it.
        let head = line.split_whitespace().next().unwrap_or("");
        if let Some((Ok(lo), Ok(hi))) = head.split_once('-').map(|(lo, hi)| (usize::from_str_radix(lo, 16), usize::from_str_radix(hi, 16))) {
            inside = (lo..hi).contains(&addr);
            continue;
        }
        if inside && let Some(kib) = line.strip_prefix("AnonHugePages:") {
            return kib.trim().trim_end_matches("kB").trim().parse().ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::super::quant::{QMatrix, QType};
    use super::*;

    fn matrix(rows: usize, seed: u8) -> QMatrix {
        let cols = 256;
        let data: Vec<u8> = (0..rows * cols / 32 * 18).map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed)).collect();
        QMatrix::new(QType::Q4_0, rows, cols, data).unwrap()
    }

    #[test]
    fn gathered_matrices_keep_their_bytes() {
        // 144 B rows: 24 000 rows is ~3.3 MiB, more than a 2 MiB page; the odd sizes leave
        // the next matrix to start on an alignment gap.
        let mut ms = [matrix(24_000, 1), matrix(8, 2), matrix(1_000, 3)];
        let before: Vec<Vec<u8>> = ms.iter().map(|m| m.data.to_vec()).collect();
        let moved = gather(&mut ms.iter_mut().map(|m| &mut m.data).collect::<Vec<_>>());
        if turned_off() || cfg!(not(target_os = "linux")) {
            assert_eq!(moved, 0);
            return;
        }
        assert!(moved >= before.iter().map(Vec::len).sum::<usize>());
        for (m, b) in ms.iter().zip(&before) {
            assert!(m.data.shared());
            assert_eq!(&m.data[..], &b[..]);
            assert_eq!(m.data.as_ptr() as usize % ALIGN, 0);
        }
        // Gathering twice moves nothing.
        assert_eq!(gather(&mut ms.iter_mut().map(|m| &mut m.data).collect::<Vec<_>>()), 0);

        // Where the kernel hands out 2 MiB pages on request, the first matrix got at least one.
        let mode = std::fs::read_to_string("/sys/kernel/mm/transparent_hugepage/enabled").unwrap_or_default();
        if mode.contains("[madvise]") || mode.contains("[always]") {
            let kib = huge_kib_at(ms[0].data.as_ptr() as usize).expect("the arena is a mapping in /proc/self/smaps");
            assert!(kib >= 2048, "the weights' arena holds {kib} KiB of 2 MiB pages (THP mode: {})", mode.trim());
        }
    }
}
