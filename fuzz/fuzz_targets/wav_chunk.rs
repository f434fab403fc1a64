//! See `bevy_lipsync::fuzzing::wav_chunk` for the input layout and the invariants checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bevy_lipsync::fuzzing::wav_chunk(data));
