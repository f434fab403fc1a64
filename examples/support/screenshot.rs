//! One screenshot of a headless example, then exit.
#![allow(dead_code)]

use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, save_to_disk};

/// A screenshot taken once (keep it in a `Local` of the system that decides when).
#[derive(Default)]
pub struct OneShot(Option<Instant>);

impl OneShot {
    /// Once `ready`, saves the primary window to `path`; exits the app once the file is on disk
    /// (a software renderer can take seconds to hand the capture back), or after 30 s.
    pub fn update(
        &mut self,
        commands: &mut Commands,
        path: &str,
        ready: bool,
        exit: &mut MessageWriter<AppExit>,
    ) {
        if let Some(taken) = self.0 {
            let saved = std::path::Path::new(path).exists();
            if saved || taken.elapsed() > Duration::from_secs(30) {
                if !saved {
                    warn!("the screenshot never reached {path}");
                }
                exit.write(AppExit::Success);
            }
            return;
        }
        // A screenshot from an earlier run is not this one.
        if ready && std::path::Path::new(path).exists() {
            let _ = std::fs::remove_file(path);
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
