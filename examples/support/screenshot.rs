//! One screenshot of a headless example, then exit.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};

/// A screenshot taken once (keep it in a `Local` of the system that decides when).
#[derive(Default)]
pub struct OneShot(Option<Instant>);

impl OneShot {
    /// Once `ready`, saves the primary window to `path`; exits the app 1.5 s later, when the
    /// capture has reached the disk.
    pub fn update(
        &mut self,
        commands: &mut Commands,
        path: &str,
        ready: bool,
        exit: &mut MessageWriter<AppExit>,
    ) {
        if let Some(taken) = self.0 {
            if taken.elapsed() > Duration::from_millis(1500) {
                exit.write(AppExit::Success);
            }
            return;
        }
        if ready {
            info!("saving a screenshot to {path}");
            commands
                .spawn(Screenshot::primary_window())
                .observe(save_to_disk(std::path::PathBuf::from(path)));
            self.0 = Some(Instant::now());
        }
    }

    /// Whether the screenshot was taken.
    pub fn taken(&self) -> bool {
        self.0.is_some()
    }
}
