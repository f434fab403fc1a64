//! Run the loopback Inworld emulator from a shell, for demos and for poking at clients.
//!
//! ```text
//! cargo run -p inworld_emulator -- --port 8123 --rtf 1 --fault status:429
//! ```
//! Prints `listening on http://127.0.0.1:PORT`, then serves until killed, logging one line per
//! request on stderr. `--help` lists the options.

use std::io::Write as _;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::{Parser, ValueEnum};
use inworld_emulator::{Emulator, EmulatorConfig, EmulatorHandle, Fault, OfflineSource, ToneVoice};

/// A loopback server speaking Inworld's TTS protocol. Prints `listening on
/// http://127.0.0.1:PORT`, then serves until killed; one line per request on stderr.
#[derive(Debug, Parser)]
#[command(name = "inworld_emulator")]
struct Cli {
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Basic credential to require (default: INWORLD_API_KEY, else any).
    #[arg(long, value_parser = non_empty)]
    key: Option<String>,
    /// Audio seconds sent per wall second; 0 is as fast as possible.
    #[arg(long, default_value_t = 0.0, value_parser = non_negative)]
    rtf: f32,
    /// Delay before the first chunk, in milliseconds.
    #[arg(long, default_value_t = 0, value_name = "MS")]
    first_chunk_ms: u64,
    /// Target audio per streamed chunk, in milliseconds.
    #[arg(long, default_value_t = 250, value_name = "MS")]
    chunk_ms: u64,
    /// Queue a fault for the next synthesis requests (repeatable): tiny-writes | reset |
    /// drop-after:BYTES | status:HTTP[:RETRY_SECS] | error-line:CHUNKS | malformed-line:CHUNKS |
    /// bad-base64:INDEX | wav-rate:INDEX | stall:CHUNKS[:MS] | slow-drip:BYTES[:MS]; append *N
    /// to apply it N times, *always for every request.
    #[arg(long = "fault", value_name = "SPEC", value_parser = Fault::parse_spec)]
    faults: Vec<(Fault, u32)>,
    /// A fault of the WebSocket route (repeatable).
    #[arg(long = "socket-fault", value_enum, value_name = "FAULT")]
    socket_faults: Vec<SocketFault>,
    /// The LLM route's first token, in milliseconds.
    #[arg(long, default_value_t = 50, value_name = "MS")]
    chat_first_token_ms: u64,
    /// The LLM route's time between tokens, in milliseconds.
    #[arg(long, default_value_t = 10, value_name = "MS")]
    chat_token_ms: u64,
    /// What the voices say.
    #[arg(long, value_enum, default_value_t = Source::Offline)]
    source: Source,
    /// Count streamed times from each chunk's start.
    #[arg(long)]
    chunk_relative_times: bool,
    /// Write times through f32 (0.049999997).
    #[arg(long)]
    float_noise: bool,
}

/// The WebSocket route's faults.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum SocketFault {
    /// Accept connections and never answer the upgrade.
    StallHandshake,
    /// Send a loud tone for a context after its `contextClosed`.
    LateAudio,
    /// Start every synthesis with an error that names no context.
    ContextlessErrors,
}

/// What renders the emulator's speech.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Source {
    /// The offline voice's speech.
    Offline,
    /// One sine tone per phone.
    Tone,
}

fn non_empty(key: &str) -> Result<String, String> {
    if key.is_empty() {
        return Err("the key must not be empty".into());
    }
    Ok(key.to_owned())
}

fn non_negative(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(rtf) if rtf.is_finite() && rtf >= 0.0 => Ok(rtf),
        _ => Err("expected a number >= 0".into()),
    }
}

impl Cli {
    fn config(&self) -> EmulatorConfig {
        let mut config = EmulatorConfig {
            key: self.key.clone(),
            port: self.port,
            float_noise: self.float_noise,
            chunk_relative_times: self.chunk_relative_times,
            source: match self.source {
                Source::Offline => Arc::new(OfflineSource::default()),
                Source::Tone => Arc::new(ToneVoice),
            },
            ..EmulatorConfig::default()
        };
        config.pacing.real_time_factor = self.rtf;
        config.pacing.first_chunk_delay = Duration::from_millis(self.first_chunk_ms);
        config.pacing.chunk_duration = Duration::from_millis(self.chunk_ms);
        config
    }

    /// Sets what the handle steers: the queued faults, the WebSocket faults, the LLM's pace.
    fn apply(&self, emulator: &EmulatorHandle) {
        for (fault, times) in self.faults.iter().cloned() {
            emulator.push_fault(fault, times);
        }
        for fault in &self.socket_faults {
            match fault {
                SocketFault::StallHandshake => emulator.set_socket_stall_handshake(true),
                SocketFault::LateAudio => emulator.set_socket_late_audio(true),
                SocketFault::ContextlessErrors => emulator.set_socket_contextless_errors(true),
            }
        }
        emulator.set_chat_pace(
            Duration::from_millis(self.chat_first_token_ms),
            Duration::from_millis(self.chat_token_ms),
        );
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if log::set_logger(&StderrLog).is_ok() {
        log::set_max_level(log::LevelFilter::Info);
    }
    let emulator = match Emulator::spawn(cli.config()) {
        Ok(emulator) => emulator,
        Err(e) => {
            eprintln!("inworld_emulator: cannot listen: {e}");
            return ExitCode::FAILURE;
        }
    };
    cli.apply(&emulator);
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
        metadata.target().starts_with("inworld_emulator") && metadata.level() <= log::Level::Info
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!("{}", record.args());
        }
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("inworld_emulator").chain(args.iter().copied()))
    }

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn options_become_the_emulator_config_and_its_faults() {
        let cli = parse(&[
            "--port=8123",
            "--key",
            "k",
            "--rtf",
            "1.5",
            "--first-chunk-ms",
            "120",
            "--chunk-ms=100",
            "--fault",
            "drop-after:5000",
            "--fault=tiny-writes*2",
            "--float-noise",
            "--chunk-relative-times",
            "--source",
            "tone",
            "--socket-fault",
            "late-audio",
            "--socket-fault=stall-handshake",
            "--chat-first-token-ms",
            "300",
        ])
        .unwrap();
        assert_eq!(
            cli.socket_faults,
            [SocketFault::LateAudio, SocketFault::StallHandshake]
        );
        assert_eq!((cli.chat_first_token_ms, cli.chat_token_ms), (300, 10));
        let config = cli.config();
        assert_eq!(config.port, 8123);
        assert_eq!(config.key.as_deref(), Some("k"));
        assert_eq!(config.pacing.real_time_factor, 1.5);
        assert_eq!(config.pacing.first_chunk_delay, Duration::from_millis(120));
        assert_eq!(config.pacing.chunk_duration, Duration::from_millis(100));
        assert!(config.float_noise && config.chunk_relative_times);
        assert_eq!(cli.source, Source::Tone);
        assert_eq!(
            cli.faults,
            [(Fault::DropAfterBytes(5000), 1), (Fault::TinyWrites, 2)]
        );
        // The defaults: the offline voice, as fast as possible.
        let plain = parse(&[]).unwrap();
        assert_eq!(
            (plain.source, plain.rtf, plain.port),
            (Source::Offline, 0.0, 0)
        );
    }

    #[test]
    fn bad_command_lines_say_what_is_wrong() {
        let kind = |args: &[&str]| parse(args).unwrap_err().kind();
        assert_eq!(kind(&["--bogus"]), ErrorKind::UnknownArgument);
        assert_eq!(kind(&["--port"]), ErrorKind::InvalidValue);
        assert_eq!(kind(&["--port", "x"]), ErrorKind::ValueValidation);
        assert_eq!(kind(&["--rtf=-1"]), ErrorKind::ValueValidation);
        assert_eq!(kind(&["--key="]), ErrorKind::ValueValidation);
        assert_eq!(kind(&["--float-noise=1"]), ErrorKind::TooManyValues);
        let fault = parse(&["--fault", "nope"]).unwrap_err().to_string();
        assert!(fault.contains("nope"), "{fault}");
        assert_eq!(kind(&["-h"]), ErrorKind::DisplayHelp);
    }
}
