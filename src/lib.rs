//! Talking characters for Bevy (crate root; see README).
#![warn(missing_docs)]

pub mod alignment;
#[cfg(feature = "emulator")]
pub mod emulator;
pub mod inworld;
pub mod speech;
