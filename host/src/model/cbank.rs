//! A MemC bank whose engine products are computed and added in off the model thread.
//!
//! The timing side of the model never looks at data, so the products a bank receives can be
//! computed while the model thread goes on with the run. Each bank keeps a queue of product
//! batches; one job at a time drains it (MemC adds products in the order it receives them, and a
//! bank's contents are one chain of adds per element), and different banks' jobs run side by side
//! on the rayon pool. The model thread takes the bank back, waiting for its queue to empty, only
//! when something reads or rewrites the bank.

use super::fifo::Chunk;
use crate::hal::{BackendKind, DeviceError};
use crate::numerics::{self, BLOCK};
use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Products handed to a job at a time: small enough that the model thread rarely waits for the
/// last batch of a tile, large enough that a batch is worth a job.
const BATCH: usize = 8;

/// An engine product to add into the bank block at block coordinates (br, bc).
pub struct Pending {
    pub br: usize,
    pub bc: usize,
    /// Overwrite instead of accumulate (the first partial of a receive without `acc`).
    pub first: bool,
    pub a: Chunk,
    pub b: Chunk,
}

#[derive(Default)]
struct Queue {
    /// The bank, while the model thread has handed it over and no job is working on it.
    data: Option<Vec<f32>>,
    batches: VecDeque<Vec<Pending>>,
    /// A job is draining the queue (it holds `data` meanwhile).
    running: bool,
    /// A job panicked: the bank's contents are lost.
    failed: bool,
    /// Operand blocks the jobs are done with, for the model thread to reuse.
    spent: Vec<Chunk>,
}

#[derive(Default)]
struct Shared {
    q: Mutex<Queue>,
    idle: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Queue> {
        // A job panics only outside the lock (and says so in `failed`).
        self.q.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub struct CBank {
    cols: usize,
    /// The bank while the model thread holds it.
    home: Option<Vec<f32>>,
    /// Products received but not yet handed to a job.
    pending: Vec<Pending>,
    shared: Arc<Shared>,
}

impl CBank {
    pub fn new(rows: usize, cols: usize) -> CBank {
        CBank { cols, home: Some(vec![0.0; rows * cols]), pending: Vec::new(), shared: Arc::default() }
    }

    /// Queue one received product; it is added into the bank in receive order. Operand blocks
    /// the jobs are done with are handed to `recycle` as they come free.
    pub fn receive(&mut self, p: Pending, recycle: &mut dyn FnMut(Chunk)) {
        self.pending.push(p);
        if self.pending.len() >= BATCH {
            self.submit();
            if let Ok(mut q) = self.shared.q.try_lock() {
                q.spent.drain(..).for_each(&mut *recycle);
            }
        }
    }

    /// The bank with every product received so far added in, for the model thread to read or
    /// rewrite. Reused operand blocks are handed to `recycle`.
    pub fn get(&mut self, recycle: &mut dyn FnMut(Chunk)) -> Result<&mut Vec<f32>, DeviceError> {
        if self.home.is_none() || !self.pending.is_empty() {
            self.submit();
            let mut q = self.shared.lock();
            while q.running || !q.batches.is_empty() {
                q = self.shared.idle.wait(q).unwrap_or_else(|p| p.into_inner());
            }
            for c in q.spent.drain(..) {
                recycle(c);
            }
            if q.failed {
                return Err(DeviceError::Backend {
                    backend: BackendKind::Model,
                    call: "memc",
                    message: "an engine product job failed (internal error); the run's results are lost".into(),
                });
            }
            self.home = q.data.take();
        }
        Ok(self.home.as_mut().expect("the bank is home once its queue is empty"))
    }

    fn submit(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.pending);
        let mut q = self.shared.lock();
        if let Some(d) = self.home.take() {
            q.data = Some(d);
        }
        q.batches.push_back(batch);
        if !q.running && !q.failed {
            q.running = true;
            let shared = self.shared.clone();
            let cols = self.cols;
            rayon::spawn(move || drain_queue(&shared, cols));
        }
    }
}

/// A job: add the queued batches into the bank, oldest first, until the queue is empty.
fn drain_queue(shared: &Shared, cols: usize) {
    loop {
        let (mut data, batch) = {
            let mut q = shared.lock();
            match q.batches.pop_front() {
                Some(b) => (q.data.take().expect("a queued bank is handed over"), b),
                None => {
                    q.running = false;
                    shared.idle.notify_all();
                    return;
                }
            }
        };
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| add_products(&mut data, cols, &batch)));
        let mut q = shared.lock();
        q.data = Some(data);
        q.spent.extend(batch.into_iter().flat_map(|p| [p.a, p.b]));
        if done.is_err() {
            q.failed = true;
            q.batches.clear();
            q.running = false;
            shared.idle.notify_all();
            return;
        }
    }
}

/// Add a batch of products into the bank, in place. Products for different block rows touch
/// disjoint rows of the bank and run in parallel; those within one block row keep their order.
fn add_products(bank: &mut [f32], cols: usize, batch: &[Pending]) {
    let mut by_row: Vec<(usize, Vec<&Pending>)> = Vec::new();
    for p in batch {
        match by_row.iter_mut().find(|(br, _)| *br == p.br) {
            Some((_, v)) => v.push(p),
            None => by_row.push((p.br, vec![p])),
        }
    }
    let run = |rows: &mut [f32], ps: &[&Pending]| {
        for p in ps {
            numerics::mme_block_into_rows(&p.a, &p.b, &mut rows[p.bc * BLOCK..], cols, !p.first);
        }
    };
    let stripe = BLOCK * cols;
    if by_row.len() == 1 {
        let (br, ps) = &by_row[0];
        run(&mut bank[br * stripe..(br + 1) * stripe], ps);
    } else {
        use rayon::prelude::*;
        bank.par_chunks_mut(stripe).enumerate().for_each(|(br, rows)| {
            if let Some((_, ps)) = by_row.iter().find(|(r, _)| *r == br) {
                run(rows, ps);
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::BLOCK_ELEMS;

    fn block(seed: u32) -> Chunk {
        Arc::new(
            (0..BLOCK_ELEMS)
                .map(|i| (((i as u32).wrapping_mul(2654435761) ^ seed) % 1000) as f32 / 500.0 - 1.0)
                .collect(),
        )
    }

    #[test]
    fn products_land_in_receive_order_like_the_serial_chain() {
        let (rows, cols) = (256, 512);
        let mut bank = CBank::new(rows, cols);
        let mut want = vec![0.0f32; rows * cols];
        let mut tile = vec![0.0f32; BLOCK_ELEMS];
        // Several passes over the bank's blocks: the first partial overwrites, later ones add.
        for step in 0..21u32 {
            let (br, bc) = ((step as usize / 3) % 2, step as usize % 4);
            let first = step < 3;
            let (a, b) = (block(step), block(step + 100));
            numerics::mme_block(&a, &b, &mut tile);
            for i in 0..BLOCK {
                for j in 0..BLOCK {
                    let w = &mut want[(br * BLOCK + i) * cols + bc * BLOCK + j];
                    *w = if first { tile[i * BLOCK + j] } else { numerics::accumulate(*w, tile[i * BLOCK + j]) };
                }
            }
            bank.receive(Pending { br, bc, first, a, b }, &mut |_| {});
            if step == 10 {
                // Reading the bank in the middle waits for what was received so far.
                let got = bank.get(&mut |_| {}).unwrap();
                assert!(got.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits()));
            }
        }
        let mut recycled = 0;
        let got = bank.get(&mut |_| recycled += 1).unwrap();
        assert!(got.iter().zip(&want).all(|(x, y)| x.to_bits() == y.to_bits()));
        assert!(recycled > 0, "spent operands come back for reuse");
    }
}
