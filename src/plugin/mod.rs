//! The Bevy plugin: characters that talk, with mouths that follow what is heard.
//!
//! ```no_run
//! use bevy::prelude::*;
//! use bevy_lipsync::prelude::*;
//!
//! fn main() {
//!     App::new()
//!         .add_plugins((DefaultPlugins, LipsyncPlugin::default()))
//!         .add_systems(Startup, spawn_npc)
//!         .add_observer(|word: On<WordSpoken>| info!("subtitle: {}", word.word))
//!         .run();
//! }
//!
//! fn spawn_npc(mut commands: Commands) {
//!     // Put the Speaker on the entity whose descendants carry the face's morph targets
//!     // (a glTF scene root works: the meshes bind once the scene spawns).
//!     let npc = commands.spawn(Speaker::new("inworld/inworld-tts-1.5-max:Dennis")).id();
//!     commands.entity(npc).say("Welcome to the village, stranger.");
//! }
//! ```
//!
//! # Threads
//! A TTS runtime thread (tokio) owns the network: it streams each line, writes its PCM into the
//! line's lock-free ring and sends timing back over a crossbeam channel. The audio thread (a
//! kira `Sound` on the device, or a virtual output without one) drains the rings and publishes
//! each voice's clock with atomics. The main thread never waits on either.
//!
//! # Systems, in order
//! | set | schedule | does |
//! |---|---|---|
//! | [`LipsyncSystems::Receive`] | `PreUpdate` | plays new voices, merges timing, reports failures |
//! | [`LipsyncSystems::Dispatch`] | `PostUpdate` | stops lines asked to stop, sends the next waiting lines to the runtime |
//! | [`LipsyncSystems::Evaluate`] | `PostUpdate` | reads each voice's audible clock, evaluates the [`Mouth`] at the instant the frame will be seen, sends word/viseme/start/finish events |
//! | [`LipsyncSystems::Bind`] | `PostUpdate` | binds new `MorphWeights` under speakers to their rig preset |
//! | [`LipsyncSystems::Write`] | `PostUpdate`, after `AnimationSystems` | adds the mouth onto the bound morph targets, on top of animation, with no frame of lag |
//!
//! Lines said in `Update` are sent the same frame; their mouths move from the first frame
//! their audio is heard.

mod active_line;
mod commands;
mod dispatch;
mod display;
#[cfg(feature = "kira-audio")]
mod ducking;
mod evaluate;
mod events;
mod expression;
mod line;
mod motion;
mod output;
mod persona;
mod receive;
mod rig;
mod settings;
mod spatial;
mod spatial_voice;
mod speaker;
mod sprite;
mod state;
mod voice_line;
mod vrm;

use bevy::app::{AnimationSystems, PluginGroupBuilder};
use bevy::prelude::*;
use bevy::transform::TransformSystems;

use crate::audio::{OutputConfig, OutputMode};
use crate::speech::runtime::SpeechRuntime;
use crate::speech::{SpeechService, VoiceResolver};

pub use crate::speech::InworldSetting;
pub use commands::SpeakExt;
pub use display::RenderLatency;
#[cfg(feature = "kira-audio")]
pub use ducking::{DuckChannelExt, Ducked, DuckingPlugin, DuckingSettings};
pub use evaluate::FramePacing;
pub use events::{
    EmotionChanged, EventMessagesPlugin, ReplyHeard, STALL_AFTER, SpeechFailed, SpeechFinished,
    SpeechStalled, SpeechStarted, VisemeChanged, VoiceRejected, WordSpoken,
};
pub use expression::{EMOTION_EASE, Expression, ExpressionPlugin};
pub use line::{Line, LineId, LineProgress, LineSource, SayMode};
pub use motion::{HeadBone, HeadMotion, HeadMotionPlugin, JawBone};
pub use output::SpeechOutput;
pub use persona::{DEFAULT_CHAT_MODEL, Persona};
pub use rig::{MorphRigPlugin, RigReport};
pub use settings::LipsyncSettings;
pub use spatial::{SpatialVoicePlugin, VoiceListener};
pub use spatial_voice::SpatialVoice;
pub use speaker::{Mouth, MouthRig, Speaker, SpeechQueue};
pub use sprite::{SpriteMouth, SpriteMouthPlugin};
pub use voice_line::{LineTiming, VoiceLine, VoiceLineError};
pub use vrm::{Vrm, VrmCharacter, VrmLoadError, VrmPlugin};

/// The plugin's systems, in the order they run (see the module docs).
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LipsyncSystems {
    /// `PreUpdate`: take in what the runtime sent.
    Receive,
    /// `PostUpdate`: start and stop lines.
    Dispatch,
    /// `PostUpdate`: evaluate mouths and send events.
    Evaluate,
    /// `PostUpdate`, after `AnimationSystems`: bind morph targets (rebinding a changed rig).
    Bind,
    /// `PostUpdate`, after `AnimationSystems`: write morph weights.
    Write,
}

/// The order of the parts' systems inside the public sets, so no part names another's systems.
#[derive(SystemSet, Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Step {
    /// `Evaluate`: how frames are presented.
    Display,
    /// `Evaluate`: voices placed in the world.
    Place,
    /// `Evaluate`: the mouths and the line events.
    Mouths,
    /// `Evaluate`: blinks and emotions, after the mouth they give way to.
    Face,
    /// `Evaluate`: head motion, livelier with the mouth.
    Head,
    /// `Bind`: VRM scenes spawned.
    Scenes,
    /// `Bind`: morph targets bound.
    Morphs,
    /// `Bind`: head and jaw bones found.
    Bones,
}

/// Adds talking characters to an app: every part of [`LipsyncPlugins`], with `settings`. See
/// the module docs.
#[derive(Default)]
pub struct LipsyncPlugin {
    /// The settings, inserted as a resource.
    pub settings: LipsyncSettings,
}

impl LipsyncPlugin {
    /// The plugin with `settings`.
    pub fn new(settings: LipsyncSettings) -> Self {
        LipsyncPlugin { settings }
    }
}

impl Plugin for LipsyncPlugin {
    fn build(&self, app: &mut App) {
        app.add_plugins(LipsyncPlugins::new(self.settings.clone()));
    }
}

/// Every part of the plugin, as a group whose parts can be left out:
///
/// | part | adds |
/// |---|---|
/// | [`SpeechPlugin`] (needed) | speakers, lines, events, the output and the speech runtime, the [`Mouth`] |
/// | [`MorphRigPlugin`] | binds and writes morph targets ([`RigReport`]) |
/// | [`ExpressionPlugin`] | blinks and emotions ([`Expression`]) |
/// | [`HeadMotionPlugin`] | head sway and jaw bones ([`HeadMotion`]) |
/// | [`SpriteMouthPlugin`] | 2D mouths ([`SpriteMouth`]) |
/// | [`VrmPlugin`] | `.vrm` characters ([`VrmCharacter`]) |
/// | [`SpatialVoicePlugin`] | voices placed in the world ([`SpatialVoice`], [`VoiceListener`]) |
/// | [`EventMessagesPlugin`] (off until enabled) | every event also written as a message |
///
/// Each part registers the components it needs on [`Speaker`], so a speaker without a part
/// does not carry them: a 2D game leaves out what it cannot show.
///
/// ```no_run
/// use bevy::prelude::*;
/// use bevy_lipsync::prelude::*;
/// use bevy_lipsync::plugin::{ExpressionPlugin, HeadMotionPlugin, MorphRigPlugin, VrmPlugin};
///
/// App::new().add_plugins((
///     DefaultPlugins,
///     LipsyncPlugins::default()
///         .build()
///         .disable::<MorphRigPlugin>()
///         .disable::<ExpressionPlugin>()
///         .disable::<HeadMotionPlugin>()
///         .disable::<VrmPlugin>(),
/// ));
/// ```
#[derive(Default)]
pub struct LipsyncPlugins {
    /// The settings, inserted as a resource.
    pub settings: LipsyncSettings,
}

impl LipsyncPlugins {
    /// Every part, with `settings`.
    pub fn new(settings: LipsyncSettings) -> Self {
        LipsyncPlugins { settings }
    }
}

impl PluginGroup for LipsyncPlugins {
    fn build(self) -> PluginGroupBuilder {
        PluginGroupBuilder::start::<Self>()
            .add(SpeechPlugin {
                settings: self.settings,
            })
            .add(MorphRigPlugin)
            .add(ExpressionPlugin)
            .add(HeadMotionPlugin)
            .add(SpriteMouthPlugin)
            .add(VrmPlugin)
            .add(SpatialVoicePlugin)
            .add(EventMessagesPlugin)
            .disable::<EventMessagesPlugin>()
    }
}

/// The heart of the plugin: speakers and their lines, the speech runtime thread, the audio
/// output, the audible clocks, the [`Mouth`] each frame, and the events. The other parts of
/// [`LipsyncPlugins`] show the mouth.
#[derive(Default)]
pub struct SpeechPlugin {
    /// The settings, inserted as a resource.
    pub settings: LipsyncSettings,
}

impl Plugin for SpeechPlugin {
    fn build(&self, app: &mut App) {
        let settings = self.settings.clone();
        let output = SpeechOutput::open(&settings).unwrap_or_else(|e| {
            error!("bevy_lipsync: {e}; voices play on a virtual output instead");
            SpeechOutput::open(&LipsyncSettings {
                output: OutputMode::Virtual(OutputConfig::default()),
                ..settings.clone()
            })
            // A virtual output only fails on a zero rate or block, which the error above named.
            .unwrap_or_else(|e| panic!("bevy_lipsync: cannot open any audio output: {e}"))
        });
        let service = SpeechService::from_settings(&settings.inworld, settings.gateway.as_ref());
        let voices = VoiceResolver::new(service.inworld().is_some(), service.gateway().is_some());
        let runtime = SpeechRuntime::start(service).unwrap_or_else(|e| {
            panic!("bevy_lipsync: cannot start the speech runtime thread: {e}")
        });
        app.insert_resource(settings)
            .insert_resource(output)
            .insert_resource(state::SpeechLines::new(runtime, voices))
            .init_resource::<FramePacing>()
            .insert_resource(RenderLatency::of(false, false, None))
            .register_type::<RenderLatency>()
            .register_type::<LipsyncSettings>()
            .register_type::<FramePacing>()
            .register_type::<Speaker>()
            .register_type::<Mouth>()
            .register_type::<MouthRig>()
            .init_asset::<VoiceLine>()
            .init_asset_loader::<voice_line::VoiceLineLoader>()
            .configure_sets(PreUpdate, LipsyncSystems::Receive)
            .configure_sets(
                PostUpdate,
                (
                    LipsyncSystems::Dispatch,
                    LipsyncSystems::Evaluate,
                    LipsyncSystems::Bind,
                    LipsyncSystems::Write,
                )
                    .chain(),
            )
            // Binding restores and rebinds the weights animation writes: after it, like writing.
            .configure_sets(PostUpdate, LipsyncSystems::Bind.after(AnimationSystems))
            .configure_sets(PostUpdate, LipsyncSystems::Write.after(AnimationSystems))
            // Voices are placed where the speakers are this frame.
            .configure_sets(
                PostUpdate,
                LipsyncSystems::Evaluate.after(TransformSystems::Propagate),
            )
            .add_systems(
                PreUpdate,
                receive::receive_runtime_events.in_set(LipsyncSystems::Receive),
            )
            .add_systems(
                PostUpdate,
                (
                    (
                        dispatch::check_voices,
                        dispatch::end_lines_of_removed_speakers,
                        dispatch::dispatch_lines,
                    )
                        .chain()
                        .in_set(LipsyncSystems::Dispatch),
                    display::follow_present_mode.in_set(Step::Display),
                    evaluate::evaluate_mouths.in_set(Step::Mouths),
                ),
            )
            .configure_sets(
                PostUpdate,
                (
                    Step::Display,
                    Step::Place,
                    Step::Mouths,
                    Step::Face,
                    Step::Head,
                )
                    .chain()
                    .in_set(LipsyncSystems::Evaluate),
            )
            .configure_sets(
                PostUpdate,
                (Step::Scenes, Step::Morphs, Step::Bones)
                    .chain()
                    .in_set(LipsyncSystems::Bind),
            );
    }

    /// Once every plugin is built: how the app renders (its render sub-apps).
    fn finish(&self, app: &mut App) {
        let derived = RenderLatency::of_app(app);
        app.insert_resource(derived);
    }
}

/// Makes every [`Speaker`] carry `C` (a part's own component), unless another part already
/// did.
fn require_on_speakers<C: Component + Default>(app: &mut App) {
    // Two parts may need the same component: the second registration is a no-op.
    let _ = app.try_register_required_components::<Speaker, C>();
}

#[cfg(test)]
mod tests;
