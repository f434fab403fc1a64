//! `LipsyncPlugin` in a `MinimalPlugins` app: manual time, the manual audio output stepped by
//! hand, and the loopback emulator as Inworld. The emulator's tone voice says exactly which phone
//! sounds when (`render_tones`), so the mouth is checked against that truth.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bevy::asset::RenderAssetUsages;
use bevy::mesh::morph::MorphWeights;
use bevy::mesh::{Mesh, Mesh3d, PrimitiveTopology};
use bevy::prelude::*;
use bevy_lipsync::prelude::*;
use bevy_lipsync::speech::SpeechError;

#[path = "../plugin_support/mod.rs"]
mod plugin_support;
use plugin_support::*;
#[allow(dead_code)] // the signal helpers are for the audio tests
#[path = "../../crates/lipsync_audio/tests/support/mod.rs"]
mod support;

mod app;
mod conversation;
mod events;
mod expressions;
mod head;
mod inworld;
mod lines;
mod pause;
mod recorded;
mod rig;
mod spatial;
mod streamed;
mod timing;
mod volume;
