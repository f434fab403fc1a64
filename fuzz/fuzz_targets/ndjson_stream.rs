//! See `bevy_lipsync::fuzzing::ndjson_stream` for the input layout and the invariants checked.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bevy_lipsync::fuzzing::ndjson_stream(data));
