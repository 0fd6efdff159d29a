//! A stable merge sort driven by a fallible "less than", for `list.sort` and `sorted`.
//!
//! Python's comparisons can raise (`'<' not supported between ...`) and need not be total
//! (NaN), so the standard library's sorts (which may panic on inconsistent orders) are not
//! used. Like CPython's timsort this only ever asks `a < b`, and it is stable, so for any
//! consistent order the result is the one CPython produces.

/// Sorts `v` stably by `less`; the first error stops the sort (leaving `v` permuted).
pub fn sort_by<T: Copy, E>(
    v: &mut [T],
    less: &mut dyn FnMut(T, T) -> Result<bool, E>,
) -> Result<(), E> {
    let n = v.len();
    if n < 2 {
        return Ok(());
    }
    // Insertion-sort short runs, then merge bottom-up.
    const RUN: usize = 16;
    let mut start = 0;
    while start < n {
        let end = (start + RUN).min(n);
        insertion_sort(&mut v[start..end], less)?;
        start = end;
    }
    let mut buf: Vec<T> = Vec::with_capacity(n);
    let mut width = RUN;
    while width < n {
        let mut lo = 0;
        while lo + width < n {
            let mid = lo + width;
            let hi = (lo + 2 * width).min(n);
            merge(&mut v[lo..hi], mid - lo, &mut buf, less)?;
            lo = hi;
        }
        width *= 2;
    }
    Ok(())
}

fn insertion_sort<T: Copy, E>(
    v: &mut [T],
    less: &mut dyn FnMut(T, T) -> Result<bool, E>,
) -> Result<(), E> {
    for i in 1..v.len() {
        let x = v[i];
        // Binary search for the insertion point after equal elements (stability).
        let (mut lo, mut hi) = (0, i);
        while lo < hi {
            let mid = (lo + hi) / 2;
            if less(x, v[mid])? {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        v.copy_within(lo..i, lo + 1);
        v[lo] = x;
    }
    Ok(())
}

fn merge<T: Copy, E>(
    v: &mut [T],
    mid: usize,
    buf: &mut Vec<T>,
    less: &mut dyn FnMut(T, T) -> Result<bool, E>,
) -> Result<(), E> {
    // Already in order: nothing to do (one comparison, as timsort's galloping would find).
    if !less(v[mid], v[mid - 1])? {
        return Ok(());
    }
    buf.clear();
    buf.extend_from_slice(&v[..mid]);
    let (mut i, mut j, mut k) = (0, mid, 0);
    let res = loop {
        if i >= buf.len() || j >= v.len() {
            break Ok(());
        }
        // Take from the right only when strictly less: equal elements keep their order.
        match less(v[j], buf[i]) {
            Ok(true) => {
                v[k] = v[j];
                j += 1;
            }
            Ok(false) => {
                v[k] = buf[i];
                i += 1;
            }
            Err(e) => break Err(e),
        }
        k += 1;
    };
    // Whatever happened, put the rest of the left run back so no element is lost.
    while i < buf.len() {
        v[k] = buf[i];
        i += 1;
        k += 1;
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_is_stable() {
        // (key, original position): equal keys must keep their order.
        let mut v: Vec<(i32, usize)> = [5, 3, 5, 1, 3, 5, 0, 2, 3, 1]
            .iter()
            .cycle()
            .take(100)
            .enumerate()
            .map(|(i, &k)| (k, i))
            .collect();
        let mut expect = v.clone();
        expect.sort_by_key(|p| p.0);
        sort_by::<_, ()>(&mut v, &mut |a, b| Ok(a.0 < b.0)).unwrap();
        assert_eq!(v, expect);
    }

    #[test]
    fn reverse_keeps_equal_elements_in_order() {
        // sorted([(1,'a'),(2,'b'),(1,'c')], key=lambda p: p[0], reverse=True)
        // == [(2, 'b'), (1, 'a'), (1, 'c')] in CPython.
        let mut v = vec![(1, 'a'), (2, 'b'), (1, 'c')];
        sort_by::<_, ()>(&mut v, &mut |a, b| Ok(b.0 < a.0)).unwrap();
        assert_eq!(v, vec![(2, 'b'), (1, 'a'), (1, 'c')]);
    }

    #[test]
    fn errors_stop_the_sort_without_losing_items() {
        let mut v: Vec<i32> = (0..50).rev().collect();
        let mut calls = 0;
        let r = sort_by(&mut v, &mut |a, b| {
            calls += 1;
            if calls > 60 {
                Err("boom")
            } else {
                Ok(a < b)
            }
        });
        assert_eq!(r, Err("boom"));
        let mut sorted = v.clone();
        sorted.sort();
        assert_eq!(sorted, (0..50).collect::<Vec<_>>());
    }
}
