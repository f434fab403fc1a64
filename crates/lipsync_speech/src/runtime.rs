//! The speech runtime thread: owns the network, never touches the game's state.
//!
//! The game's thread sends [`RuntimeCommand`]s (never blocking: an unbounded channel); a
//! current-thread tokio runtime on its own OS thread opens a [`SpeechStream`](crate::SpeechStream) per line, creates
//! the line's voice when the first audio arrives, writes the PCM into the voice's ring (waiting
//! for room: audio is never dropped) and sends timing and lifecycle back as [`RuntimeEvent`]s on
//! a crossbeam channel the game drains each frame. The Bevy plugin is one such game loop; a
//! server or a tool can drive it the same way.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender};
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use crate::alignment::{AlignmentUpdate, FrameOffset};
use crate::audio::{AudioError, PcmProducer, VoiceControl, VoiceRenderer, voice};
use crate::{SpeechError, SpeechRequest, SpeechService};

/// Identifies one line across threads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UtteranceId(pub u64);

/// Frames per envelope block sent for the jaw fallback: 10 ms at 24 kHz.
const ENVELOPE_BLOCK_SECONDS: f64 = 0.010;

/// Game → runtime.
#[derive(Debug)]
pub enum RuntimeCommand {
    /// Speak `request` as line `id`, its voice buffering up to `buffer` of audio.
    Speak {
        /// The line.
        id: UtteranceId,
        /// What to say and how.
        request: SpeechRequest,
        /// How much audio the voice's ring holds.
        buffer: Duration,
    },
    /// Stop line `id`: its request is dropped and nothing more is sent for it.
    Cancel(UtteranceId),
    /// The plugin is going away: abort every line and end the thread, even while cancellers
    /// (held by lines still in the world) keep the channel open.
    Shutdown,
}

/// Runtime → game.
pub enum RuntimeEvent {
    /// The first audio arrived: play this voice.
    Voice {
        /// The line.
        id: UtteranceId,
        /// The voice's audio-thread end, for the game's output to play.
        renderer: Box<VoiceRenderer>,
        /// The voice's controls and audible clock.
        control: VoiceControl,
        /// From the request being opened to its first audio.
        first_chunk: Duration,
    },
    /// Timing and loudness that came with a chunk.
    Timing {
        /// The line.
        id: UtteranceId,
        /// The timing, in frames of the line.
        alignment: AlignmentUpdate,
        /// Where the envelope's first block starts.
        envelope_start: FrameOffset,
        /// Frames per envelope block.
        envelope_block: u32,
        /// RMS loudness per block, for the jaw fallback.
        envelope: Vec<f32>,
    },
    /// The stream ended; every sample has been written and the voice closed.
    Ended {
        /// The line.
        id: UtteranceId,
    },
    /// The line failed.
    Failed {
        /// The line.
        id: UtteranceId,
        /// Why.
        error: Arc<SpeechError>,
    },
}

/// The handle the game keeps: channels and the thread. Dropping it ends the thread.
#[derive(Debug)]
pub struct SpeechRuntime {
    commands: mpsc::UnboundedSender<RuntimeCommand>,
    /// What the runtime sends back; drain it every frame.
    pub events: Receiver<RuntimeEvent>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl SpeechRuntime {
    /// Starts the runtime thread speaking through `service`.
    pub fn start(service: SpeechService) -> std::io::Result<Self> {
        let (commands, inbox) = mpsc::unbounded_channel();
        let (events_tx, events) = crossbeam_channel::unbounded();
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let thread = std::thread::Builder::new()
            .name("lipsync-speech".into())
            .spawn(move || runtime.block_on(serve(service, inbox, events_tx)))?;
        Ok(SpeechRuntime {
            commands,
            events,
            thread: Some(thread),
        })
    }

    /// Queues a command; never blocks. A stopped runtime ignores it (the line then never
    /// starts, and [`Self::is_running`] says why).
    pub fn send(&self, command: RuntimeCommand) {
        // An error means the runtime is gone (shutting down): nothing left to tell it.
        let _ = self.commands.send(command);
    }

    /// A sender for cancellations from `Drop` impls.
    pub fn canceller(&self) -> Canceller {
        Canceller(self.commands.clone())
    }

    /// Whether the runtime thread is alive.
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }
}

impl Drop for SpeechRuntime {
    fn drop(&mut self) {
        // Lines still in the world hold senders, so the channel may stay open: say it outright.
        let _ = self.commands.send(RuntimeCommand::Shutdown);
        if let Some(thread) = self.thread.take() {
            // A panic on that thread has already been reported by the panic hook.
            let _ = thread.join();
        }
    }
}

/// Cancels lines from wherever they are dropped.
#[derive(Clone, Debug)]
pub struct Canceller(mpsc::UnboundedSender<RuntimeCommand>);

impl Canceller {
    /// Cancels line `id`.
    pub fn cancel(&self, id: UtteranceId) {
        // The runtime being gone means the line is gone too.
        let _ = self.0.send(RuntimeCommand::Cancel(id));
    }
}

async fn serve(
    service: SpeechService,
    mut inbox: mpsc::UnboundedReceiver<RuntimeCommand>,
    events: Sender<RuntimeEvent>,
) {
    let mut lines: HashMap<UtteranceId, AbortHandle> = HashMap::new();
    while let Some(command) = inbox.recv().await {
        lines.retain(|_, line| !line.is_finished());
        match command {
            RuntimeCommand::Speak {
                id,
                request,
                buffer,
            } => {
                let task =
                    tokio::spawn(speak(service.clone(), id, request, buffer, events.clone()));
                lines.insert(id, task.abort_handle());
                // A panic inside a line must not pass silently: report it as that line's failure.
                let events = events.clone();
                tokio::spawn(async move {
                    if let Err(e) = task.await
                        && e.is_panic()
                    {
                        let error = SpeechError::Internal(format!(
                            "the speech task for line {} panicked; please report this bug",
                            id.0
                        ));
                        let _ = events.send(RuntimeEvent::Failed {
                            id,
                            error: Arc::new(error),
                        });
                    }
                });
            }
            RuntimeCommand::Cancel(id) => {
                if let Some(line) = lines.remove(&id) {
                    line.abort();
                }
            }
            RuntimeCommand::Shutdown => break,
        }
    }
    for line in lines.values() {
        line.abort();
    }
}

async fn speak(
    service: SpeechService,
    id: UtteranceId,
    request: SpeechRequest,
    buffer: Duration,
    events: Sender<RuntimeEvent>,
) {
    let event = match stream_line(&service, id, &request, buffer, &events).await {
        Ok(()) => RuntimeEvent::Ended { id },
        Err(error) => RuntimeEvent::Failed {
            id,
            error: Arc::new(error),
        },
    };
    // The main thread being gone means nobody is listening any more.
    let _ = events.send(event);
}

async fn stream_line(
    service: &SpeechService,
    id: UtteranceId,
    request: &SpeechRequest,
    buffer: Duration,
    events: &Sender<RuntimeEvent>,
) -> Result<(), SpeechError> {
    let opened = Instant::now();
    let mut stream = service.open(request)?;
    let mut producer: Option<PcmProducer> = None;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if !chunk.pcm.is_empty() && producer.is_none() {
            let (p, renderer, control) = voice(chunk.sample_rate, buffer)?;
            producer = Some(p);
            send(
                events,
                RuntimeEvent::Voice {
                    id,
                    renderer: Box::new(renderer),
                    control,
                    first_chunk: opened.elapsed(),
                },
            )?;
        }
        let block = ((f64::from(chunk.sample_rate) * ENVELOPE_BLOCK_SECONDS).round() as u32).max(1);
        let mut envelope = Vec::new();
        chunk.envelope_into(block as usize, &mut envelope);
        // Timing goes first: writing the audio may wait for room in the ring.
        if !chunk.alignment.is_empty() || !envelope.is_empty() {
            send(
                events,
                RuntimeEvent::Timing {
                    id,
                    alignment: chunk.alignment,
                    envelope_start: chunk.start,
                    envelope_block: block,
                    envelope,
                },
            )?;
        }
        if let Some(producer) = producer.as_mut()
            && !chunk.pcm.is_empty()
        {
            match producer.write_i16(&chunk.pcm).await {
                Ok(()) => {}
                // The line was stopped or its voice removed: stop quietly, the main thread knows.
                Err(AudioError::Interrupted | AudioError::Disconnected) => return Ok(()),
                Err(e) => return Err(e.into()),
            }
        }
    }
    if let Some(producer) = producer {
        producer.close();
    }
    Ok(())
}

fn send(events: &Sender<RuntimeEvent>, event: RuntimeEvent) -> Result<(), SpeechError> {
    events.send(event).map_err(|_| {
        SpeechError::Internal("the game stopped listening to the speech runtime".into())
    })
}
