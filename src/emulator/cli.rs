//! Command-line options of the `inworld_emulator` example, parsed here so they can be tested.

use std::sync::Arc;
use std::time::Duration;

use super::EmulatorConfig;
use super::fault::Fault;
use super::source::{OfflineSource, ToneVoice};

/// `inworld_emulator --help`.
pub const CLI_USAGE: &str = "\
Usage: inworld_emulator [OPTIONS]

A loopback server speaking Inworld's TTS protocol. Prints `listening on http://127.0.0.1:PORT`
then serves until killed; one line per request on stderr.

Options:
  --port N                 port on 127.0.0.1 (default 0: any free port)
  --key KEY                Basic credential to require (default: INWORLD_API_KEY, else any)
  --rtf X                  audio seconds sent per wall second; 0 = as fast as possible (default 0)
  --first-chunk-ms N       delay before the first chunk (default 0)
  --chunk-ms N             target audio per streamed chunk (default 250)
  --fault SPEC             queue a fault for the next synthesis requests (repeatable):
                             tiny-writes | reset | drop-after:BYTES | status:HTTP[:RETRY_SECS]
                             error-line:CHUNKS | malformed-line:CHUNKS | bad-base64:INDEX
                             wav-rate:INDEX | stall:CHUNKS[:MS] | slow-drip:BYTES[:MS]
                           append *N to apply it N times, *always for every request
  --source offline|tone    what the voices say: the offline voice's speech (default), or one
                           sine tone per phone
  --chunk-relative-times   count streamed times from each chunk's start
  --float-noise            write times through f32 (0.049999997)
  -h, --help               print this help
";

/// What the command line asks for.
#[derive(Debug)]
pub enum CliCommand {
    /// Serve with these options.
    Run(CliOptions),
    /// Print [`CLI_USAGE`].
    Help,
}

/// Parsed options.
#[derive(Debug)]
pub struct CliOptions {
    /// How to start the emulator.
    pub config: EmulatorConfig,
    /// Faults to queue, with their repeat counts.
    pub faults: Vec<(Fault, u32)>,
}

/// A command line that cannot be served.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CliError {
    /// An option nobody knows.
    #[error("unknown option `{0}`")]
    UnknownOption(String),
    /// An option that needs a value came last.
    #[error("`{0}` needs a value")]
    MissingValue(String),
    /// A value that does not parse.
    #[error("bad value `{value}` for `{option}`: {reason}")]
    BadValue {
        /// The option.
        option: String,
        /// What was given.
        value: String,
        /// What was expected.
        reason: String,
    },
}

/// Parse the arguments after the program name. `--opt=value` and `--opt value` both work.
///
/// ```
/// use bevy_lipsync::emulator::{CliCommand, parse_args};
/// let args = ["--port", "0", "--fault", "status:429"].map(String::from);
/// let Ok(CliCommand::Run(options)) = parse_args(args) else { panic!() };
/// assert_eq!(options.faults.len(), 1);
/// ```
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<CliCommand, CliError> {
    let mut config = EmulatorConfig {
        source: Arc::new(OfflineSource::default()),
        ..EmulatorConfig::default()
    };
    let mut faults = Vec::new();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (option, inline) = match arg.split_once('=') {
            Some((option, value)) if option.starts_with("--") => {
                (option.to_owned(), Some(value.to_owned()))
            }
            _ => (arg, None),
        };
        let mut value = || -> Result<String, CliError> {
            match inline.clone() {
                Some(v) => Ok(v),
                None => args
                    .next()
                    .ok_or_else(|| CliError::MissingValue(option.clone())),
            }
        };
        match option.as_str() {
            "-h" | "--help" => return Ok(CliCommand::Help),
            "--port" => config.port = parsed(&option, &value()?, "a port number")?,
            "--key" => {
                let key = value()?;
                if key.is_empty() {
                    return Err(bad(&option, &key, "the key must not be empty"));
                }
                config.key = Some(key);
            }
            "--rtf" => {
                let text = value()?;
                let rtf: f32 = parsed(&option, &text, "a number")?;
                if !(rtf.is_finite() && rtf >= 0.0) {
                    return Err(bad(&option, &text, "expected a number >= 0"));
                }
                config.pacing.real_time_factor = rtf;
            }
            "--first-chunk-ms" => {
                config.pacing.first_chunk_delay =
                    Duration::from_millis(parsed(&option, &value()?, "milliseconds")?);
            }
            "--chunk-ms" => {
                config.pacing.chunk_duration =
                    Duration::from_millis(parsed(&option, &value()?, "milliseconds")?);
            }
            "--fault" => {
                let spec = value()?;
                faults
                    .push(Fault::parse_spec(&spec).map_err(|reason| bad(&option, &spec, &reason))?);
            }
            "--source" => {
                let name = value()?;
                config.source = match name.as_str() {
                    "offline" => Arc::new(OfflineSource::default()),
                    "tone" => Arc::new(ToneVoice),
                    _ => return Err(bad(&option, &name, "expected offline or tone")),
                };
            }
            "--chunk-relative-times" | "--float-noise" if inline.is_some() => {
                return Err(bad(
                    &option,
                    inline.as_deref().unwrap_or_default(),
                    "takes no value",
                ));
            }
            "--chunk-relative-times" => config.chunk_relative_times = true,
            "--float-noise" => config.float_noise = true,
            _ => return Err(CliError::UnknownOption(option)),
        }
    }
    Ok(CliCommand::Run(CliOptions { config, faults }))
}

fn parsed<T: std::str::FromStr>(option: &str, value: &str, expected: &str) -> Result<T, CliError> {
    value
        .parse()
        .map_err(|_| bad(option, value, &format!("expected {expected}")))
}

fn bad(option: &str, value: &str, reason: &str) -> CliError {
    CliError::BadValue {
        option: option.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<CliOptions, CliError> {
        match parse_args(args.iter().map(|a| (*a).to_owned()))? {
            CliCommand::Run(options) => Ok(options),
            CliCommand::Help => panic!("unexpected help"),
        }
    }

    #[test]
    fn options_parse() {
        let o = run(&[
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
        ])
        .unwrap();
        assert_eq!(o.config.port, 8123);
        assert_eq!(o.config.key.as_deref(), Some("k"));
        assert_eq!(o.config.pacing.real_time_factor, 1.5);
        assert_eq!(
            o.config.pacing.first_chunk_delay,
            Duration::from_millis(120)
        );
        assert_eq!(o.config.pacing.chunk_duration, Duration::from_millis(100));
        assert_eq!(
            o.faults,
            [(Fault::DropAfterBytes(5000), 1), (Fault::TinyWrites, 2)]
        );
        assert!(o.config.float_noise && o.config.chunk_relative_times);
    }

    #[test]
    fn bad_command_lines() {
        assert_eq!(
            run(&["--bogus"]).unwrap_err(),
            CliError::UnknownOption("--bogus".into())
        );
        assert_eq!(
            run(&["--port"]).unwrap_err(),
            CliError::MissingValue("--port".into())
        );
        assert!(matches!(
            run(&["--port", "x"]),
            Err(CliError::BadValue { .. })
        ));
        assert!(matches!(
            run(&["--rtf", "-1"]),
            Err(CliError::BadValue { .. })
        ));
        assert!(matches!(
            run(&["--fault", "nope"]),
            Err(CliError::BadValue { .. })
        ));
        assert!(matches!(
            run(&["--float-noise=1"]),
            Err(CliError::BadValue { .. })
        ));
        assert!(matches!(
            parse_args(["-h".to_owned()]),
            Ok(CliCommand::Help)
        ));
    }
}
