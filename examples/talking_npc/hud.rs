//! The demo's heads-up display: the input line, subtitles that light up each word as it is
//! heard, and a debug overlay (viseme bars, audio clock, time to first audio, sync error).

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use bevy::prelude::*;
use bevy_lipsync::audio::OutputKind;
use bevy_lipsync::lipsync::Viseme;
use bevy_lipsync::plugin::{FramePacing, RenderLatency, SpeechOutput};
use bevy_lipsync::prelude::*;

use super::{Control, Npc, selected};

/// Frames of sync error kept for the overlay's statistics.
const SYNC_WINDOW: usize = 240;

/// What the HUD remembers between frames.
#[derive(Resource, Default)]
pub struct HudState {
    /// Time to first audio heard and to first chunk synthesised/received, per speaker.
    first_audio: HashMap<Entity, (Duration, Duration)>,
    last_failure: Option<String>,
    /// Shown minus heard, in ms, per frame of the selected speaker.
    sync_ms: VecDeque<f64>,
    /// Recent frames' (speaker, frame instant, shown seconds), checked once each frame has
    /// left the screen.
    pending: VecDeque<(Entity, Instant, f64)>,
    /// The subtitle on screen: speaker, line, highlighted word.
    subtitle: Option<(Entity, String, Option<usize>)>,
}

#[derive(Component)]
pub struct InputText;
#[derive(Component)]
pub struct SubtitleText;
#[derive(Component)]
pub struct StatusText;
#[derive(Component)]
pub struct VisemeBar(usize);
#[derive(Component)]
pub struct NameTag(Entity);

const BAR_WIDTH: f32 = 120.0;

pub fn setup(mut commands: Commands, npcs: Query<(Entity, &Npc)>) {
    commands.init_resource::<HudState>();
    let font = |size: f32| TextFont {
        font_size: size.into(),
        ..default()
    };
    // Overlay, top left.
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                left: Val::Px(12.0),
                top: Val::Px(12.0),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(Val::Px(8.0)),
                row_gap: Val::Px(2.0),
                ..default()
            },
            BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.55)),
        ))
        .with_children(|overlay| {
            overlay.spawn((Text::new(""), font(13.0), StatusText));
            let labels = Viseme::ALL.iter().map(|v| v.openxr_name()).chain(["jaw"]);
            for (i, label) in labels.enumerate() {
                overlay
                    .spawn(Node {
                        flex_direction: FlexDirection::Row,
                        align_items: AlignItems::Center,
                        column_gap: Val::Px(6.0),
                        ..default()
                    })
                    .with_children(|row| {
                        row.spawn((
                            Text::new(format!("{label:>3}")),
                            font(11.0),
                            Node {
                                width: Val::Px(26.0),
                                ..default()
                            },
                        ));
                        row.spawn((
                            Node {
                                width: Val::Px(BAR_WIDTH),
                                height: Val::Px(7.0),
                                ..default()
                            },
                            BackgroundColor(Color::srgba(1.0, 1.0, 1.0, 0.08)),
                        ))
                        .with_children(|bar| {
                            bar.spawn((
                                Node {
                                    width: Val::Px(0.0),
                                    height: Val::Percent(100.0),
                                    ..default()
                                },
                                BackgroundColor(Color::srgb(0.35, 0.8, 0.55)),
                                VisemeBar(i),
                            ));
                        });
                    });
            }
        });
    // Subtitles, bottom centre.
    commands
        .spawn(Node {
            position_type: PositionType::Absolute,
            bottom: Val::Px(64.0),
            width: Val::Percent(100.0),
            justify_content: JustifyContent::Center,
            ..default()
        })
        .with_children(|bottom| {
            bottom.spawn((Text::new(""), font(26.0), SubtitleText));
        });
    // The input line.
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                bottom: Val::Px(14.0),
                left: Val::Px(12.0),
                right: Val::Px(12.0),
                padding: UiRect::all(Val::Px(6.0)),
                ..default()
            },
            BackgroundColor(Color::srgba(0.0, 0.0, 0.0, 0.5)),
        ))
        .with_children(|line| {
            line.spawn((Text::new(""), font(18.0), InputText));
        });
    // Name tags above the characters.
    for (entity, npc) in &npcs {
        commands.spawn((
            Text::new(npc.name),
            font(22.0),
            Node {
                position_type: PositionType::Absolute,
                ..default()
            },
            NameTag(entity),
        ));
    }
}

/// Colours the selected character's name tag and keeps tags over the heads.
pub fn highlight_selected(
    control: Res<Control>,
    npcs: Query<(Entity, &Npc)>,
    camera: Single<(&Camera, &GlobalTransform)>,
    heads: Query<&GlobalTransform, With<Npc>>,
    mut tags: Query<(&NameTag, &mut Node, &mut TextColor)>,
) {
    let chosen = selected(&npcs, &control);
    let (camera, camera_transform) = *camera;
    for (tag, mut node, mut colour) in &mut tags {
        colour.0 = if Some(tag.0) == chosen {
            Color::srgb(1.0, 0.85, 0.3)
        } else {
            Color::srgba(1.0, 1.0, 1.0, 0.6)
        };
        if let Ok(head) = heads.get(tag.0)
            && let Ok(at) =
                camera.world_to_viewport(camera_transform, head.translation() + Vec3::Y * 1.45)
        {
            node.left = Val::Px(at.x - 24.0);
            node.top = Val::Px(at.y - 16.0);
        }
    }
}

pub fn on_started(started: On<SpeechStarted>, mut hud: ResMut<HudState>) {
    hud.first_audio.insert(
        started.entity,
        (started.time_to_first_audio, started.time_to_first_chunk),
    );
    hud.last_failure = None;
}

pub fn on_failed(failed: On<SpeechFailed>, mut hud: ResMut<HudState>) {
    warn!("talking_npc: a line failed: {}", failed.error);
    hud.last_failure = Some(failed.error.to_string());
}

/// The words of a line as the subtitles show them (tags are not shown).
fn subtitle_words(text: &str) -> Vec<&str> {
    let is_tag = |w: &str| {
        w.starts_with('<') || w.ends_with("/>") || (w.starts_with('[') && w.ends_with(']'))
    };
    text.split_whitespace().filter(|w| !is_tag(w)).collect()
}

/// Rebuilds the subtitle when the line or its current word changes.
pub fn subtitles(
    mut commands: Commands,
    mut hud: ResMut<HudState>,
    npcs: Query<(Entity, &Npc, &SpeechQueue)>,
    subtitle: Single<Entity, With<SubtitleText>>,
) {
    let talking = npcs
        .iter()
        .filter_map(|(e, npc, queue)| queue.progress().map(|p| (e, npc, p)))
        .max_by(|a, b| a.2.heard_seconds.total_cmp(&b.2.heard_seconds).reverse());
    let wanted = talking.map(|(e, _, p)| (e, p.text.to_owned(), p.word));
    if wanted == hud.subtitle {
        return;
    }
    let root = *subtitle;
    commands.entity(root).despawn_children();
    if let Some((_, npc, progress)) = talking {
        commands.entity(root).with_children(|spans| {
            spans.spawn((
                TextSpan::new(format!("{}: ", npc.name)),
                TextColor(Color::srgb(1.0, 0.85, 0.3)),
            ));
            for (i, word) in subtitle_words(progress.text).into_iter().enumerate() {
                let colour = match progress.word {
                    Some(current) if i == current => Color::srgb(1.0, 1.0, 0.55),
                    Some(current) if i < current => Color::WHITE,
                    _ => Color::srgba(1.0, 1.0, 1.0, 0.35),
                };
                spans.spawn((TextSpan::new(format!("{word} ")), TextColor(colour)));
            }
        });
    }
    hud.subtitle = wanted;
}

/// Compares what the mouth showed in each frame with what the audible clock says was heard while
/// that frame was on screen: the middle of its display interval (from its start plus the render
/// latency to the next frame's start plus the latency), measured once that instant has passed,
/// so nothing is extrapolated. Positive: the mouth was ahead of the sound.
pub fn measure_sync(
    time: Res<Time<Real>>,
    settings: Res<LipsyncSettings>,
    (pacing, render): (Res<FramePacing>, Res<RenderLatency>),
    control: Res<Control>,
    mut hud: ResMut<HudState>,
    npcs: Query<(Entity, &Npc)>,
    queues: Query<&SpeechQueue>,
) {
    let now = time.last_update().unwrap_or_else(Instant::now);
    let latency = pacing.period().mul_f32(
        settings
            .render_latency_frames
            .unwrap_or(render.frames)
            .max(0.0),
    );
    let speaker = selected(&npcs, &control);
    if let Some(speaker) = speaker
        && let Ok(queue) = queues.get(speaker)
        && let Some(progress) = queue.progress()
        && progress.heard_seconds > 0.0
    {
        hud.pending
            .push_back((speaker, now, progress.shown_seconds));
    }
    while hud.pending.len() >= 2 {
        let (who, start, shown) = hud.pending[0];
        let end = hud.pending[1].1;
        let middle = start + (end - start) / 2 + latency;
        if middle > now {
            break;
        }
        hud.pending.pop_front();
        if Some(who) != speaker {
            continue;
        }
        if let Ok(queue) = queues.get(who)
            && let Some(heard) = queue.heard_seconds_at(middle)
            && heard > 0.0
        {
            hud.sync_ms.push_back((shown - heard) * 1000.0);
            while hud.sync_ms.len() > SYNC_WINDOW {
                hud.sync_ms.pop_front();
            }
        }
    }
    // A line that ended leaves nothing to check.
    if hud.pending.len() > 64 {
        hud.pending.clear();
    }
}

/// The selected speaker's 15 viseme weights and jaw, as bars.
pub fn viseme_bars(
    control: Res<Control>,
    npcs: Query<(Entity, &Npc)>,
    mouths: Query<&Mouth>,
    mut bars: Query<(&VisemeBar, &mut Node)>,
) {
    let Some(mouth) = selected(&npcs, &control).and_then(|e| mouths.get(e).ok()) else {
        return;
    };
    for (bar, mut node) in &mut bars {
        let w = if bar.0 < Viseme::COUNT {
            mouth.weights.weights[bar.0]
        } else {
            mouth.weights.jaw_open
        };
        node.width = Val::Px(w.clamp(0.0, 1.0) * BAR_WIDTH);
    }
}

/// The status lines and the input line.
pub fn overlay(
    control: Res<Control>,
    hud: Res<HudState>,
    (output, settings, render): (Res<SpeechOutput>, Res<LipsyncSettings>, Res<RenderLatency>),
    npcs: Query<(Entity, &Npc)>,
    speakers: Query<(&Mouth, &SpeechQueue)>,
    mut status: Single<&mut Text, (With<StatusText>, Without<InputText>)>,
    mut input: Single<&mut Text, (With<InputText>, Without<StatusText>)>,
) {
    input.0 = format!(
        "> {}_   (Enter: talk  /say: say it  Tab: switch  1-5: samples  Esc: stop  Up/Down: A/V offset)",
        control.input
    );
    let Some(speaker) = selected(&npcs, &control) else {
        return;
    };
    let name = npcs.get(speaker).map_or("?", |(_, npc)| npc.name);
    let Ok((mouth, queue)) = speakers.get(speaker) else {
        return;
    };
    let clock = queue.progress().map_or("idle".to_owned(), |p| {
        format!("{:.2} s heard, {} underruns", p.heard_seconds, p.underruns)
    });
    let first = hud
        .first_audio
        .get(&speaker)
        .map_or("-".to_owned(), |(heard, chunk)| {
            format!(
                "{:.0} ms (first chunk {:.1} ms)",
                heard.as_secs_f64() * 1e3,
                chunk.as_secs_f64() * 1e3
            )
        });
    let sync = if hud.sync_ms.is_empty() {
        "-".to_owned()
    } else {
        let mut sorted: Vec<f64> = hud.sync_ms.iter().map(|e| e.abs()).collect();
        sorted.sort_by(f64::total_cmp);
        let p95 = sorted[(sorted.len() * 95 / 100).min(sorted.len() - 1)];
        let mean = hud.sync_ms.iter().sum::<f64>() / hud.sync_ms.len() as f64;
        format!("mean {mean:+.1} ms, p95 |{p95:.1}| ms")
    };
    let kind = match output.kind() {
        OutputKind::Device => "audio device",
        OutputKind::Realtime => "virtual output (no device)",
        OutputKind::Manual => "manual output",
        _ => "other output",
    };
    let latency = output.latency_report(&settings.latency);
    let frames = settings.render_latency_frames.unwrap_or(render.frames);
    let output = format!(
        "{kind}, latency {:.1} ms ({})\nsync: render {frames} frames{}, A/V offset {:+} ms",
        latency.latency.as_secs_f64() * 1e3,
        latency.source,
        if render.pipelined { " (pipelined)" } else { "" },
        control.av_offset_ms
    );
    let failure = hud
        .last_failure
        .as_ref()
        .map_or(String::new(), |f| format!("\nlast failure: {f}"));
    status.0 = format!(
        "{name} [Tab]  shape {:?}\nvoice: {}\naudio: {output}\nclock: {clock}\nfirst audio: {first}\nsync error: {sync}{failure}",
        mouth.viseme, control.provider
    );
}
