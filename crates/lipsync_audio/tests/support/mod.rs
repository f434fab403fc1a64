//! Helpers shared by the audio integration tests: a global allocator that counts calls on the
//! current thread, and test signals.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// Counts allocations and frees made on the current thread while counting is on.
struct CountingAllocator;

thread_local! {
    // `const` and destructor-free: reading them never allocates.
    static COUNTING: Cell<bool> = const { Cell::new(false) };
    static COUNT: Cell<usize> = const { Cell::new(0) };
}

fn note_allocator_call() {
    if COUNTING.try_with(Cell::get).unwrap_or(false) {
        COUNT.with(|count| count.set(count.get() + 1));
    }
}

// SAFETY: forwards every call unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocator_call();
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        note_allocator_call();
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note_allocator_call();
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocator_call();
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator;

/// Starts counting this thread's allocator calls, from zero.
pub fn start_counting() {
    COUNT.with(|count| count.set(0));
    COUNTING.with(|on| on.set(true));
}

/// Stops counting: the calls since [`start_counting`].
pub fn stop_counting() -> usize {
    COUNTING.with(|on| on.set(false));
    COUNT.with(Cell::get)
}

/// Runs `f` and returns how many allocator calls it made on this thread.
pub fn allocator_calls(f: impl FnOnce()) -> usize {
    start_counting();
    f();
    stop_counting()
}

/// A sine of amplitude 0.5 at `hz`, `seconds` long, sampled at `rate`.
pub fn sine(rate: u32, hz: f64, seconds: f64) -> Vec<f32> {
    let frames = (f64::from(rate) * seconds) as usize;
    (0..frames)
        .map(|i| (0.5 * (std::f64::consts::TAU * hz * i as f64 / f64::from(rate)).sin()) as f32)
        .collect()
}

/// Pseudo-random samples: every bit of the mantissa is exercised.
pub fn noise(frames: usize) -> Vec<f32> {
    let mut state = 0x2545_f491_u32;
    (0..frames)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            state as f32 / u32::MAX as f32 * 2.0 - 1.0
        })
        .collect()
}
