//! Run the loopback Inworld emulator from a shell, for demos and for poking at clients.
//!
//! ```text
//! cargo run --example inworld_emulator --features emulator -- --port 8123 --rtf 1 --fault status:429
//! ```
//! Prints `listening on http://127.0.0.1:PORT`, then serves until killed, logging one line per
//! request on stderr. `--help` lists the options.

use std::io::Write as _;
use std::process::ExitCode;

use bevy_lipsync::emulator::{CLI_USAGE, CliCommand, Emulator, parse_args};

fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(CliCommand::Run(options)) => options,
        Ok(CliCommand::Help) => {
            print!("{CLI_USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("inworld_emulator: {e} (see --help)");
            return ExitCode::from(2);
        }
    };
    if log::set_logger(&StderrLog).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
    let emulator = match Emulator::spawn(options.config) {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("inworld_emulator: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    for (fault, times) in options.faults {
        emulator.push_fault(fault, times);
    }
    let mut stdout = std::io::stdout();
    // Scripts wait for this exact line, so it must not sit in a buffer.
    if writeln!(stdout, "listening on {}", emulator.base_url())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    loop {
        std::thread::park();
    }
}

/// Request lines (and warnings) from the emulator, one per line on stderr.
struct StderrLog;

impl log::Log for StderrLog {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.target().starts_with("bevy_lipsync") && metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("{}", record.args());
        }
    }

    fn flush(&self) {}
}
