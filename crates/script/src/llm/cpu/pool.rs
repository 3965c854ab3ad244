//! A small fork-join pool for the forward pass: the calling thread plus `n - 1` workers run
//! one closure together, many times per token.
//!
//! A token makes a few hundred parallel steps of a few microseconds each, so waking threads
//! through the OS each time would cost more than the work. Workers spin on an epoch counter
//! for a short while after each job and only then sleep on a condition variable; the caller
//! does its share and then waits only for the workers that actually joined, so on a busy
//! machine a worker the OS has not scheduled in time is simply left out of that step. Work inside a job is handed out in chunks through an
//! atomic counter, so a worker slowed by another process does not hold the others back.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::cell::Cell;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long an idle worker spins before it sleeps.
const SPIN: Duration = Duration::from_micros(300);
/// Busy-wait iterations (a few microseconds) before waiting threads start yielding the core.
const SPINS_BEFORE_YIELD: u32 = 2000;

type Job = *const (dyn Fn(usize) + Sync);

struct JobSlot(Option<Job>);
// SAFETY: the pointer is only dereferenced while `Pool::run` keeps the closure alive.
unsafe impl Send for JobSlot {}

struct Shared {
    /// Bumped for every job; idle workers watch it.
    epoch: AtomicU64,
    /// The job's epoch (high 32 bits), a "closed" bit and how many workers joined it: a worker
    /// joins only while the job is open, so a worker the OS has not scheduled yet never holds
    /// the caller up: once the caller has done all the work itself it closes the job.
    ticket: AtomicU64,
    done: AtomicUsize,
    panicked: AtomicBool,
    stop: AtomicBool,
    sleepers: AtomicUsize,
    job: Mutex<JobSlot>,
    wake: Condvar,
}

const CLOSED: u64 = 1 << 31;
const JOINED: u64 = CLOSED - 1;

pub(crate) struct Pool {
    shared: Arc<Shared>,
    workers: Vec<JoinHandle<()>>,
    /// Back-off state for steps run on the calling thread alone (see `run`).
    solo: Cell<Solo>,
}

#[derive(Clone, Copy)]
struct Solo {
    /// Run alone until then.
    until: Instant,
    /// How long the next back-off lasts.
    next: Duration,
}

/// When the caller waits for a worker much longer than the step's own work took, the OS has
/// taken the worker's core away mid-step (as happens when the video pipeline keeps both cores
/// busy), and each such step costs a scheduler time slice. The pool then runs on the calling
/// thread alone for `SOLO_MIN`, twice as long each time it happens again soon after (up to
/// `SOLO_MAX`), and back to `SOLO_MIN` after a clean stretch.
const SOLO_MIN: Duration = Duration::from_millis(5);
const SOLO_MAX: Duration = Duration::from_millis(320);
/// A wait this long is a lost time slice, not a slow chunk.
const PREEMPTED: Duration = Duration::from_millis(1);

impl Pool {
    /// A pool of `threads` threads in all (the caller counts as one).
    pub(crate) fn new(threads: usize) -> Pool {
        let shared = Arc::new(Shared {
            epoch: AtomicU64::new(0),
            ticket: AtomicU64::new(CLOSED),
            done: AtomicUsize::new(0),
            panicked: AtomicBool::new(false),
            stop: AtomicBool::new(false),
            sleepers: AtomicUsize::new(0),
            job: Mutex::new(JobSlot(None)),
            wake: Condvar::new(),
        });
        let mut workers = Vec::new();
        for i in 1..threads.max(1) {
            let s = shared.clone();
            match std::thread::Builder::new().name(format!("llm-cpu-{i}")).spawn(move || worker(s, i)) {
                Ok(h) => workers.push(h),
                Err(e) => {
                    tracing::warn!(error = %e, "could not start an inference thread; running with fewer");
                    break;
                }
            }
        }
        let now = Instant::now();
        Pool { shared, workers, solo: Cell::new(Solo { until: now, next: SOLO_MIN }) }
    }

    pub(crate) fn threads(&self) -> usize {
        self.workers.len() + 1
    }

    /// Runs `f(thread_index)` on the calling thread (index 0) and on every worker that joins
    /// before the caller is done; returns when all of those are. `f` must therefore share its
    /// work out dynamically (see [`Pool::for_chunks`]) rather than by thread index.
    pub(crate) fn run(&self, f: &(dyn Fn(usize) + Sync)) {
        if self.workers.is_empty() {
            f(0);
            return;
        }
        let solo = self.solo.get();
        let started = Instant::now();
        if started < solo.until {
            f(0);
            return;
        }
        let s = &*self.shared;
        let epoch = {
            let mut slot = s.job.lock().unwrap_or_else(|p| p.into_inner());
            // SAFETY: lifetime erasure only; workers run the closure only after joining the
            // ticket below, and we wait for every joined worker before returning, so it never
            // outlives `f`.
            let job: Job = unsafe { std::mem::transmute::<&(dyn Fn(usize) + Sync), &'static (dyn Fn(usize) + Sync)>(f) };
            slot.0 = Some(job);
            s.done.store(0, Ordering::Relaxed);
            let epoch = (s.epoch.load(Ordering::Relaxed) + 1) & 0xFFFF_FFFF;
            s.ticket.store(epoch << 32, Ordering::Release);
            s.epoch.store(epoch, Ordering::Release);
            epoch
        };
        if s.sleepers.load(Ordering::Acquire) > 0 {
            s.wake.notify_all();
        }
        let own = catch_unwind(AssertUnwindSafe(|| f(0)));
        // Close the job; whoever joined before that is waited for, the rest skip it.
        let joined = (s.ticket.fetch_or(CLOSED, Ordering::AcqRel) & JOINED) as usize;
        debug_assert_eq!(s.ticket.load(Ordering::Relaxed) >> 32, epoch);
        let worked = started.elapsed();
        let mut spins = 0u32;
        while s.done.load(Ordering::Acquire) < joined {
            spins += 1;
            if spins < SPINS_BEFORE_YIELD {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        let waited = started.elapsed() - worked;
        if waited > PREEMPTED && waited > worked {
            // Again soon after the last back-off: back off longer.
            let len = if started < solo.until + solo.next * 2 { solo.next } else { SOLO_MIN };
            tracing::debug!(waited_us = waited.as_micros() as u64, solo_ms = len.as_millis() as u64, "worker preempted; running alone for a while");
            let now = Instant::now();
            self.solo.set(Solo { until: now + len, next: (len * 2).min(SOLO_MAX) });
        }
        if let Err(p) = own {
            std::panic::resume_unwind(p);
        }
        if s.panicked.swap(false, Ordering::AcqRel) {
            panic!("an inference thread panicked");
        }
    }

    /// Runs `f(chunk)` for every chunk in `0..chunks`, spread over the pool's threads.
    pub(crate) fn for_chunks(&self, chunks: usize, f: &(dyn Fn(usize, usize) + Sync)) {
        if chunks == 0 {
            return;
        }
        if chunks == 1 || self.workers.is_empty() {
            for c in 0..chunks {
                f(0, c);
            }
            return;
        }
        let next = AtomicUsize::new(0);
        self.run(&|tid| {
            loop {
                let c = next.fetch_add(1, Ordering::Relaxed);
                if c >= chunks {
                    break;
                }
                f(tid, c);
            }
        });
    }
}

fn worker(s: Arc<Shared>, index: usize) {
    let mut seen = 0u64;
    loop {
        let start = Instant::now();
        let mut spins = 0u32;
        loop {
            if s.epoch.load(Ordering::Acquire) != seen || s.stop.load(Ordering::Acquire) {
                break;
            }
            spins += 1;
            if spins < SPINS_BEFORE_YIELD {
                std::hint::spin_loop();
                continue;
            }
            // Past a few microseconds, give the core away between checks: on a busy machine
            // the thread we wait for may need this very core.
            std::thread::yield_now();
            if start.elapsed() > SPIN {
                let mut slot = s.job.lock().unwrap_or_else(|p| p.into_inner());
                s.sleepers.fetch_add(1, Ordering::AcqRel);
                while s.epoch.load(Ordering::Acquire) == seen && !s.stop.load(Ordering::Acquire) {
                    slot = s.wake.wait(slot).unwrap_or_else(|p| p.into_inner());
                }
                s.sleepers.fetch_sub(1, Ordering::AcqRel);
                drop(slot);
                break;
            }
        }
        if s.stop.load(Ordering::Acquire) {
            return;
        }
        seen = s.epoch.load(Ordering::Acquire);
        // Join the job if it is still open.
        let mut t = s.ticket.load(Ordering::Acquire);
        let joined = loop {
            if t >> 32 != seen || t & CLOSED != 0 {
                break false;
            }
            match s.ticket.compare_exchange_weak(t, t + 1, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => break true,
                Err(now) => t = now,
            }
        };
        if !joined {
            continue;
        }
        let job = s.job.lock().unwrap_or_else(|p| p.into_inner()).0;
        if let Some(job) = job {
            // SAFETY: `run` keeps the closure alive until `done` counts every joined worker.
            let f = unsafe { &*job };
            if catch_unwind(AssertUnwindSafe(|| f(index))).is_err() {
                s.panicked.store(true, Ordering::Release);
            }
        }
        s.done.fetch_add(1, Ordering::AcqRel);
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        {
            let _slot = self.shared.job.lock().unwrap_or_else(|p| p.into_inner());
            self.shared.stop.store(true, Ordering::Release);
        }
        self.shared.wake.notify_all();
        for w in self.workers.drain(..) {
            let _ = w.join();
        }
    }
}

/// A raw pointer that may be shared between the pool's threads, for writing disjoint parts of
/// one output buffer.
#[derive(Clone, Copy)]
pub(crate) struct SyncPtr<T>(pub *mut T);

impl<T> SyncPtr<T> {
    /// The pointer (a method, so closures capture the whole `Sync` wrapper, not the raw field).
    #[inline(always)]
    pub(crate) fn get(self) -> *mut T {
        self.0
    }
}
// SAFETY: users write disjoint index ranges and `Pool::run` joins before the buffer is read.
unsafe impl<T> Send for SyncPtr<T> {}
unsafe impl<T> Sync for SyncPtr<T> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_chunk_runs_exactly_once() {
        let pool = Pool::new(3);
        assert_eq!(pool.threads(), 3);
        for round in 0..2000 {
            let hits: Vec<AtomicUsize> = (0..97).map(|_| AtomicUsize::new(0)).collect();
            pool.for_chunks(97, &|_, c| {
                hits[c].fetch_add(round + 1, Ordering::Relaxed);
            });
            assert!(hits.iter().all(|h| h.load(Ordering::Relaxed) == round + 1));
        }
    }

    #[test]
    fn workers_share_the_work() {
        let pool = Pool::new(2);
        let by_worker = AtomicUsize::new(0);
        for _ in 0..300 {
            pool.for_chunks(16, &|tid, c| {
                // A few microseconds of real work per chunk.
                let mut x = c as u64;
                for i in 0..20_000u64 {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(i);
                }
                std::hint::black_box(x);
                if tid != 0 {
                    by_worker.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        assert!(by_worker.load(Ordering::Relaxed) > 0, "the worker thread never joined");
    }

    #[test]
    fn a_single_thread_pool_runs_inline() {
        let pool = Pool::new(1);
        let sum = AtomicUsize::new(0);
        pool.for_chunks(10, &|tid, c| {
            assert_eq!(tid, 0);
            sum.fetch_add(c, Ordering::Relaxed);
        });
        assert_eq!(sum.load(Ordering::Relaxed), 45);
    }
}
