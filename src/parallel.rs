//! Scoped threads for the work of one run: no pool, no global state.

use std::sync::atomic::{AtomicUsize, Ordering};

/// Threads to use when the caller asked for `requested` (0: one per core, at most 8).
pub(crate) fn threads(requested: usize) -> usize {
    match requested {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get().min(8)),
        n => n,
    }
}

/// Applies `f` to every item on up to `threads` threads; results in item order. Items are
/// handed out one at a time, so uneven items still keep every thread busy.
pub(crate) fn par_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    par_map_in_order(items, None, threads, f)
}

/// [`par_map`], handing out the costliest items first (by `cost`, an estimate), so that a
/// large item does not start last and keep the other threads waiting at the end.
pub(crate) fn par_map_largest_first<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    cost: impl Fn(&T) -> usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by_cached_key(|&i| std::cmp::Reverse(cost(&items[i])));
    par_map_in_order(items, Some(&order), threads, f)
}

/// [`par_map`], handing out the items in `order` (item indices) when given.
fn par_map_in_order<T: Sync, R: Send>(
    items: &[T],
    order: Option<&[usize]>,
    threads: usize,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    if threads <= 1 || items.len() <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let work = || {
        let mut out = Vec::new();
        loop {
            let n = next.fetch_add(1, Ordering::Relaxed);
            let i = match order {
                Some(order) => order.get(n).copied().unwrap_or(items.len()),
                None => n,
            };
            let Some(item) = items.get(i) else { break };
            out.push((i, f(item)));
        }
        out
    };
    // The calling thread is one of the workers.
    let mut results: Vec<(usize, R)> = std::thread::scope(|scope| {
        let others: Vec<_> = (1..threads.min(items.len()))
            .map(|_| scope.spawn(work))
            .collect();
        let mut all = work();
        for other in others {
            all.extend(other.join().expect("a worker panicked"));
        }
        all
    });
    results.sort_unstable_by_key(|(i, _)| *i);
    results.into_iter().map(|(_, r)| r).collect()
}

/// Runs `a` and `b`, on two threads when `parallel`.
pub(crate) fn join<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    if !parallel {
        return (a(), b());
    }
    std::thread::scope(|scope| {
        let other = scope.spawn(b);
        let a = a();
        (a, other.join().expect("a worker panicked"))
    })
}
