//! The model on a thread of its own, handing back whole sentences as they are written.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Sender, unbounded};

use super::error::LlmError;
use super::sampling::Sampling;
use super::sentence::SentenceSplitter;
use super::{GenStats, Llm};

/// What a submitted generation sends back, in order: sentences, then `Done` or `Error`.
#[derive(Debug)]
pub enum Event {
    /// A complete sentence, trimmed, ready for the voice.
    Sentence(String),
    Done(GenStats),
    Error(LlmError),
}

struct Job {
    prompt: String,
    sampling: Sampling,
    epoch: u64,
    events: Sender<Event>,
}

/// Runs an [`Llm`] on a dedicated thread. Jobs run one after another, sharing the model's
/// prefix cache: urgent ones ([`LlmWorker::submit_urgent`], e.g. a chat answer) before the
/// queued normal ones, each kind in submission order. Idle, the thread moves the weights a
/// load left for later onto 2 MiB pages ([`super::LoadOptions::defer_huge_pages`]). Dropping
/// a job's receiver stops that job at the next token; [`LlmWorker::cancel`] stops the running
/// job and every queued one.
pub struct LlmWorker {
    jobs: Option<Sender<Job>>,
    urgent: Option<Sender<Job>>,
    epoch: Arc<AtomicU64>,
    thread: Option<JoinHandle<()>>,
    device: String,
    arch: String,
}

impl LlmWorker {
    /// Moves a loaded model onto its own thread.
    pub fn new(llm: Llm) -> Result<LlmWorker, LlmError> {
        let (tx, rx) = unbounded::<Job>();
        let (utx, urx) = unbounded::<Job>();
        let epoch = Arc::new(AtomicU64::new(0));
        let device = llm.device_name();
        let arch = llm.arch().to_string();
        let ep = epoch.clone();
        let thread = std::thread::Builder::new()
            .name("llm".into())
            .spawn(move || run(llm, rx, urx, ep))
            .map_err(|e| LlmError::Inference(format!("cannot start the LLM thread: {e}")))?;
        Ok(LlmWorker { jobs: Some(tx), urgent: Some(utx), epoch, thread: Some(thread), device, arch })
    }

    /// Queues a generation; its sentences arrive on the returned channel.
    pub fn submit(&self, prompt: impl Into<String>, sampling: Sampling) -> Result<Receiver<Event>, LlmError> {
        self.enqueue(self.jobs.as_ref(), prompt.into(), sampling)
    }

    /// Queues a generation ahead of every normal one (it still waits for the running job; use
    /// [`LlmWorker::cancel`] first to cut that short).
    pub fn submit_urgent(&self, prompt: impl Into<String>, sampling: Sampling) -> Result<Receiver<Event>, LlmError> {
        self.enqueue(self.urgent.as_ref(), prompt.into(), sampling)
    }

    fn enqueue(&self, queue: Option<&Sender<Job>>, prompt: String, sampling: Sampling) -> Result<Receiver<Event>, LlmError> {
        let (events, rx) = unbounded();
        let job = Job { prompt, sampling, epoch: self.epoch.load(Ordering::Acquire), events };
        queue.ok_or(LlmError::WorkerGone)?.send(job).map_err(|_| LlmError::WorkerGone)?;
        Ok(rx)
    }

    /// Stops the running generation (at its next token) and drops the queued ones; each
    /// still ends with `Done` (stop reason `Caller`) or nothing at all if it never started.
    pub fn cancel(&self) {
        self.epoch.fetch_add(1, Ordering::AcqRel);
    }

    pub fn device_name(&self) -> &str {
        &self.device
    }

    pub fn arch(&self) -> &str {
        &self.arch
    }
}

impl Drop for LlmWorker {
    fn drop(&mut self) {
        self.cancel();
        self.jobs.take();
        self.urgent.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The next job (urgent ones first); `None` when the worker is dropped; `Err` when none came
/// within `idle` (`None`: wait as long as it takes).
fn next_job(jobs: &Receiver<Job>, urgent: &Receiver<Job>, idle: Option<Duration>) -> Result<Option<Job>, ()> {
    if let Ok(job) = urgent.try_recv() {
        return Ok(Some(job));
    }
    match idle {
        None => Ok(crossbeam_channel::select_biased! {
            recv(urgent) -> job => job.ok(),
            recv(jobs) -> job => job.ok(),
        }),
        Some(idle) => crossbeam_channel::select_biased! {
            recv(urgent) -> job => Ok(job.ok()),
            recv(jobs) -> job => Ok(job.ok()),
            default(idle) => Err(()),
        },
    }
}

fn run(mut llm: Llm, jobs: Receiver<Job>, urgent: Receiver<Job>, epoch: Arc<AtomicU64>) {
    let started = std::time::Instant::now();
    // Idle, it moves weights the load left for later, a step at a time (`idle_before_settling`).
    let mut idle = Some(super::idle_before_settling(started));
    loop {
        let job = match next_job(&jobs, &urgent, idle) {
            Ok(Some(job)) => job,
            Ok(None) => break,
            Err(()) => {
                idle = llm.settle_some_pages().then_some(Duration::ZERO);
                continue;
            }
        };
        if idle.is_some() {
            idle = Some(super::idle_before_settling(started));
        }
        if job.epoch != epoch.load(Ordering::Acquire) {
            continue; // cancelled while queued
        }
        let mut splitter = SentenceSplitter::new();
        let events = &job.events;
        let mut on_text = |piece: &str| -> bool {
            for s in splitter.push(piece) {
                if events.send(Event::Sentence(s)).is_err() {
                    return false;
                }
            }
            job.epoch == epoch.load(Ordering::Acquire)
        };
        let result = llm.generate(&job.prompt, &job.sampling, &mut on_text);
        match result {
            Ok(stats) => {
                if let Some(rest) = splitter.finish()
                    && stats.stop != super::StopReason::Caller
                {
                    let _ = events.send(Event::Sentence(rest));
                }
                let _ = events.send(Event::Done(stats));
            }
            Err(e) => {
                tracing::warn!(error = %e, "generation failed");
                let _ = events.send(Event::Error(e));
            }
        }
    }
}
