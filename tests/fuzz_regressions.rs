//! The fuzz targets' inputs as tests: every seed of `fuzz/corpus/<target>/` and every crash
//! reproducer of `fuzz/regressions/<target>/` goes through the same entry point the fuzzer
//! drives (`bevy_lipsync::fuzzing`), so a fixed crash stays fixed. The fuzzers themselves run
//! with `cargo fuzz` (see `fuzz/README.md`), not in CI.

use std::path::{Path, PathBuf};

use bevy_lipsync::fuzzing;

fn inputs(target: &str) -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut files = Vec::new();
    for folder in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(folder).join(target)) else {
            continue;
        };
        files.extend(
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file()),
        );
    }
    files.sort();
    files
}

fn run(target: &str, entry: fn(&[u8])) {
    let files = inputs(target);
    assert!(
        !files.is_empty(),
        "no seeds for {target} in fuzz/corpus/{target}"
    );
    for file in &files {
        let data = std::fs::read(file).expect("a readable seed");
        let outcome = std::panic::catch_unwind(|| entry(&data));
        assert!(outcome.is_ok(), "{target} fails on {}", file.display());
    }
}

#[test]
fn ndjson_stream_inputs() {
    run("ndjson_stream", fuzzing::ndjson_stream);
}

#[test]
fn timestamps_inputs() {
    run("timestamps", fuzzing::timestamps);
}

#[test]
fn wav_chunk_inputs() {
    run("wav_chunk", fuzzing::wav_chunk);
}

#[test]
fn voice_inputs() {
    run("voice", fuzzing::voice);
}
