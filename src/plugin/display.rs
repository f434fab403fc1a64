//! When a frame's picture is seen: the render latency, derived from how the app renders.

use bevy::app::App;
use bevy::prelude::*;
use bevy::window::{PresentMode, PrimaryWindow};

/// How many frames pass between the plugin computing a mouth and the picture showing it, as
/// derived from the app; the mouth is evaluated that far ahead (plus half a frame, the middle of
/// the picture's time on screen). [`LipsyncSettings::render_latency_frames`] overrides it.
///
/// | the app | frames |
/// |---|---|
/// | no renderer (a server, a test) | 0 |
/// | renders after its update, shown at the next vsync | 1 |
/// | pipelined rendering (Bevy's default with `multi_threaded`: drawn during the next update) | +1 |
/// | vsync off (`Immediate`, `Mailbox`, `AutoNoVsync`): shown as soon as drawn | -0.5 |
///
/// Read from the app's sub-apps when the plugin is set up, and from the primary window's
/// present mode every frame, so a settings menu switching vsync is followed. A game that knows
/// better (a measured display, a frame generator adding a frame) sets
/// [`LipsyncSettings::render_latency_frames`](super::LipsyncSettings::render_latency_frames).
///
/// [`LipsyncSettings::render_latency_frames`]: super::LipsyncSettings::render_latency_frames
#[derive(Resource, Debug, Clone, Copy, PartialEq, Reflect)]
#[reflect(Resource, Debug, PartialEq)]
pub struct RenderLatency {
    /// Frames from computing the mouth to its picture appearing.
    pub frames: f32,
    /// Whether the app renders at all (it has Bevy's render sub-app).
    pub rendered: bool,
    /// Whether rendering is pipelined (a frame is drawn while the next one updates).
    pub pipelined: bool,
    /// Whether the primary window waits for vsync; `None` without a window.
    pub vsync: Option<bool>,
}

impl RenderLatency {
    /// The latency of an app that renders (or not), pipelined (or not), with vsync on, off or
    /// no window.
    pub fn of(rendered: bool, pipelined: bool, vsync: Option<bool>) -> RenderLatency {
        let frames = if rendered {
            let drawn = if pipelined { 2.0 } else { 1.0 };
            if vsync == Some(false) {
                drawn - 0.5
            } else {
                drawn
            }
        } else {
            0.0
        };
        RenderLatency {
            frames,
            rendered,
            pipelined,
            vsync,
        }
    }

    /// What `app` does, as far as its sub-apps say (the window is read every frame).
    pub(crate) fn of_app(app: &App) -> RenderLatency {
        let labelled = |name: &str| {
            app.sub_apps()
                .sub_apps
                .keys()
                .any(|label| format!("{label:?}") == name)
        };
        RenderLatency::of(labelled("RenderApp"), labelled("RenderExtractApp"), None)
    }
}

/// Follows the primary window's present mode.
pub(crate) fn follow_present_mode(
    windows: Query<&Window, (With<PrimaryWindow>, Changed<Window>)>,
    mut latency: ResMut<RenderLatency>,
) {
    let Ok(window) = windows.single() else {
        return;
    };
    let vsync = !matches!(
        window.present_mode,
        PresentMode::Immediate | PresentMode::Mailbox | PresentMode::AutoNoVsync
    );
    if latency.vsync != Some(vsync) {
        *latency = RenderLatency::of(latency.rendered, latency.pipelined, Some(vsync));
    }
}
