// SPDX-License-Identifier: GPL-2.0-or-later
//
// rustspin: Rust names to demangle.
//
//   rustspin MILLISECONDS
//
// main -> rustspin::Spinner::spin_generic::<u32> and rustspin::spin_plain,
// for MILLISECONDS of wall time: rounds of fixed work in each, main looking
// at the clock every sixteen rounds, never inside them. Built twice, with
// the legacy and the v0 symbol mangling; a profiler must show both as Rust
// spells them.
use std::time::{Duration, Instant};

// std::hint::black_box is stable only since Rust 1.66; Debian 12 has 1.63.
#[inline(always)]
fn black_box(x: u64) -> u64 {
    unsafe { std::ptr::read_volatile(&x) }
}

pub struct Spinner {
    sink: u64,
}

impl Spinner {
    #[inline(never)]
    pub fn spin_generic<T: Into<u64> + Copy>(&mut self, step: T) -> u64 {
        for i in 0..20000u64 {
            self.sink = black_box(self.sink.wrapping_mul(31).wrapping_add(i ^ step.into()));
        }
        self.sink
    }
}

#[inline(never)]
pub fn spin_plain(n: u64) -> u64 {
    let mut x = 0u64;
    for i in 0..n {
        x = black_box(x.wrapping_add(i));
    }
    x
}

fn main() {
    let ms: u64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        eprintln!("usage: rustspin MILLISECONDS");
        std::process::exit(2)
    });
    let deadline = Instant::now() + Duration::from_millis(ms);
    let mut s = Spinner { sink: 1 };
    let mut total = 0u64;
    while Instant::now() < deadline {
        for _ in 0..16 {
            total = total.wrapping_add(s.spin_generic(7u32));
            total = total.wrapping_add(spin_plain(20000));
        }
    }
    black_box(total);
}
