//! What the operator can make the host do now: say a line, hold or resume the run of show,
//! skip the line being said, switch to a product. Every spoken line passes the show's guard
//! first (an operator's typo in a price is refused, not aired).

use std::sync::atomic::Ordering;

use anyhow::{Result, anyhow, bail};
use show::{Cue, Line, Provenance, Reply, ReplyKind, SegmentKind};

use crate::swap::Control;

/// The longest operator line (characters).
const MAX_SAY: usize = 400;

impl Control {
    /// The show's guard for lines the operator writes (names on: a typo in a product name is
    /// caught too).
    fn operator_guard(&self) -> script::Guard {
        let c = &self.show.config;
        script::Guard::new(c.run_of_show.offer_minutes).with_names(&c.title, &c.persona.name).with_numbers_of(c.policies.all().into_iter().map(|(_, t)| t)).with_names_of(c.policies.all().into_iter().map(|(_, t)| t))
    }

    /// Says `text` in the rooms named (all when `None`) at their next sentence boundary, each
    /// in its own language. `product`: the catalog id it is about (its card is shown).
    /// Returns the rooms that took it.
    pub fn say(&self, text: &str, room: Option<&str>, product: Option<&str>) -> Result<Vec<String>> {
        let text = text.trim();
        if text.is_empty() {
            bail!("nothing to say");
        }
        if text.chars().count() > MAX_SAY {
            bail!("an operator line is at most {MAX_SAY} characters");
        }
        if let Some(p) = product
            && self.show.catalog.product(p).is_none()
        {
            bail!("no product `{p}` in the catalog");
        }
        let targets = self.targets(room)?;
        let c = &self.show.config;
        let line = script::facts::line_from_text(text, SegmentKind::Answer, product.map(str::to_string), self.show.catalog.currency, c.run_of_show.offer_minutes).by(Provenance::Operator);
        self.operator_guard().check(&line, &self.show.catalog).map_err(|r| anyhow!("the guard refused the line: {r}"))?;
        self.send(&targets, Reply { line, kind: ReplyKind::Operator, message: None })
    }

    fn send(&self, targets: &[&crate::swap::ControlRoom], reply: Reply) -> Result<Vec<String>> {
        let mut sent = Vec::new();
        for r in targets {
            let tx = r.hooks.replies.lock().unwrap_or_else(|e| e.into_inner()).clone();
            match tx {
                Some(tx) if tx.try_send(reply.clone()).is_ok() => sent.push(r.room.id.clone()),
                Some(_) => tracing::warn!(room = %r.room.id, "the room has replies waiting; the operator line was not queued"),
                None => tracing::warn!(room = %r.room.id, "the room is not running"),
            }
        }
        if sent.is_empty() {
            bail!("no room could take the line (not running, or replies waiting: try again in a moment)");
        }
        Ok(sent)
    }

    /// Holds (or resumes) the run of show in the rooms named; replies still play.
    pub fn pause(&self, room: Option<&str>, on: bool) -> Result<Vec<String>> {
        let targets = self.targets(room)?;
        for r in &targets {
            r.hooks.control.paused.store(on, Ordering::Relaxed);
        }
        Ok(targets.iter().map(|r| r.room.id.clone()).collect())
    }

    /// Cuts the line being said short in the rooms named.
    pub fn skip(&self, room: Option<&str>) -> Result<Vec<String>> {
        let targets = self.targets(room)?;
        for r in &targets {
            r.hooks.control.skip.store(true, Ordering::Relaxed);
        }
        Ok(targets.iter().map(|r| r.room.id.clone()).collect())
    }

    /// Switches the show to a product: its card comes up with a short line now, and the run of
    /// show continues with that product's block.
    pub fn switch_product(&self, product: &str) -> Result<Vec<String>> {
        let index = self.show.products.iter().position(|p| p.id == product).ok_or_else(|| {
            anyhow!("no product `{product}` in the show (products: {})", self.show.products.iter().map(|p| p.id.as_str()).collect::<Vec<_>>().join(", "))
        })?;
        self.run.switch_product(index);
        for r in &self.rooms {
            r.hooks.control.flush.store(true, Ordering::Relaxed);
        }
        let p = &self.show.products[index];
        let short = script::template::short_name(&p.title);
        let line = Line::new(SegmentKind::Answer, Some(p.id.clone())).text(format!("Let's take a look at the {short}.")).cue(Cue::Point).cue(Cue::LookAtCard).by(Provenance::Operator);
        self.operator_guard().check(&line, &self.show.catalog).map_err(|r| anyhow!("the guard refused the line: {r}"))?;
        let targets = self.targets(None)?;
        Ok(self.send(&targets, Reply { line, kind: ReplyKind::Operator, message: None }).unwrap_or_default())
    }
}
