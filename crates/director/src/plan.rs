//! The run of show: which segment comes next, for which product, given how much has been said.
//!
//! Each product stays on for `product_minutes` of show time. A block opens with the configured
//! segments in order; while time remains it cycles through the middle segments (pitch, proof,
//! offer, call to action) again; it closes with the transition to the next product.

use show::SegmentKind;
use show::config::RunOfShow;

/// One planned segment: kind, the product on stage (index into the show's products), and
/// counters writers use for variety.
#[derive(Clone, Debug, PartialEq)]
pub struct PlannedSegment {
    pub kind: SegmentKind,
    pub product: usize,
    pub next_product: usize,
    pub index: u64,
    pub block: u64,
    pub sentences: usize,
}

pub struct Planner {
    ros: RunOfShow,
    products: usize,
    index: u64,
    block: u64,
    block_start: f64,
    /// Position in the configured segment list within the current block.
    step: usize,
    cycling: bool,
    cycle_step: usize,
    closing: bool,
}

/// Seconds before the end of a block at which the planner stops adding segments and closes.
const CLOSE_MARGIN: f64 = 20.0;

impl Planner {
    pub fn new(ros: &RunOfShow, products: usize) -> Planner {
        Planner { ros: ros.clone(), products: products.max(1), index: 0, block: 0, block_start: 0.0, step: 0, cycling: false, cycle_step: 0, closing: false }
    }

    fn middle(&self) -> Vec<SegmentKind> {
        let m: Vec<SegmentKind> = self.ros.segments.iter().copied().filter(|k| !matches!(k, SegmentKind::Hook | SegmentKind::Transition)).collect();
        if m.is_empty() { vec![SegmentKind::Pitch] } else { m }
    }

    /// Starts a new block for `product` (index into the show's products) at `planned`: the
    /// operator's switch, or a restarted show resuming where it was.
    pub fn jump_to(&mut self, product: usize, planned: f64) {
        let product = product % self.products;
        let current = (self.block as usize) % self.products;
        let ahead = (product + self.products - current) % self.products;
        // A new block even for the product on stage: its hook opens it again.
        self.block += if ahead == 0 { self.products as u64 } else { ahead as u64 };
        self.block_start = planned;
        self.step = 0;
        self.cycling = false;
        self.cycle_step = 0;
        self.closing = false;
    }

    /// The block being planned (product blocks counted from the start of the show).
    pub fn block(&self) -> u64 {
        self.block
    }

    /// The product on stage in the block being planned.
    pub fn product(&self) -> usize {
        (self.block as usize) % self.products
    }

    /// The next segment, given the show time (seconds) already planned.
    pub fn next(&mut self, planned: f64) -> PlannedSegment {
        let block_len = f64::from(self.ros.product_minutes) * 60.0;
        let elapsed = planned - self.block_start;
        let has_transition = self.ros.segments.contains(&SegmentKind::Transition);
        let kind = loop {
            if self.closing {
                // Block over: start the next one.
                self.block += 1;
                self.block_start = planned;
                self.step = 0;
                self.cycling = false;
                self.cycle_step = 0;
                self.closing = false;
                continue;
            }
            if !self.cycling {
                if let Some(&k) = self.ros.segments.get(self.step) {
                    self.step += 1;
                    if k == SegmentKind::Transition {
                        // The transition closes the block: hold it until the time is used.
                        if elapsed < block_len - CLOSE_MARGIN {
                            self.cycling = true;
                            continue;
                        }
                        self.closing = true;
                    }
                    break k;
                }
                self.cycling = true;
            }
            if elapsed >= block_len - CLOSE_MARGIN {
                if has_transition {
                    self.closing = true;
                    break SegmentKind::Transition;
                }
                self.closing = true;
                continue;
            }
            let middle = self.middle();
            let k = middle[self.cycle_step % middle.len()];
            self.cycle_step += 1;
            break k;
        };
        let product = (self.block as usize) % self.products;
        let seg = PlannedSegment {
            kind,
            product,
            next_product: (product + 1) % self.products,
            index: self.index,
            block: self.block,
            sentences: match kind {
                SegmentKind::Pitch | SegmentKind::Demo => 3,
                SegmentKind::SocialProof | SegmentKind::CallToAction => 2,
                _ => 1,
            },
        };
        self.index += 1;
        seg
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_rotate_products_and_close_with_a_transition() {
        let ros = RunOfShow { product_minutes: 1.0, ..RunOfShow::default() };
        let mut p = Planner::new(&ros, 3);
        let mut planned = 0.0;
        let mut seen = Vec::new();
        for _ in 0..60 {
            let s = p.next(planned);
            planned += 8.0; // each segment takes 8 s
            seen.push((s.block, s.product, s.kind));
        }
        // First block opens with a hook and ends with a transition before block 1 starts.
        assert_eq!(seen[0], (0, 0, SegmentKind::Hook));
        let first_of_block1 = seen.iter().position(|s| s.0 == 1).unwrap();
        assert_eq!(seen[first_of_block1 - 1].2, SegmentKind::Transition);
        assert_eq!(seen[first_of_block1], (1, 1, SegmentKind::Hook));
        // A block lasts about product_minutes.
        let secs = first_of_block1 as f64 * 8.0;
        assert!((40.0..=72.0).contains(&secs), "block took {secs}s");
        // Products wrap around.
        assert!(seen.iter().any(|s| s.0 == 3 && s.1 == 0));
    }
}
