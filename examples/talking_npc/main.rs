//! The talking-NPC demo: two characters whose mouths follow their voices.
//!
//! ```text
//! cargo run --release --example talking_npc                 # the loopback emulator (no key needed)
//! INWORLD_API_KEY=... cargo run --release --example talking_npc   # through Inworld
//! cargo run --release --example talking_npc -- --offline    # the offline voice, no LLM
//! cargo run --release --example talking_npc -- --screenshot shot.png --after 4 --say "Hello!"
//! cargo run --release --example talking_npc -- --ask "Is the inn open?"   # a reply, spoken
//! cargo run --release --example talking_npc -- --faces code   # the faces built in code
//! ```
//!
//! The characters are real heads from `assets/heads` (MakeHuman, CC0 and MIT: see
//! `assets/README.md`), loaded through the `AssetServer` as glTF scenes: Mira's carries the Ready
//! Player Me visemes and binds by name, Bram's only ARKit's 52 shapes and binds through the ARKit
//! recipes.
//!
//! Type to the selected character and press Enter: it answers (its `Persona`'s LLM writes the
//! reply, spoken sentence by sentence as it is written: Inworld's router with a key, the
//! emulator's scripted one without). Typing again while it talks cuts in; a line starting with
//! `/say ` is said as typed (and every line with `--offline`). Tab selects the next character;
//! keys 1-5 (with an empty input line) say sample lines; Esc stops the selected character.
//! Subtitles light up each word as it is heard; the overlay shows the selected character's 15
//! viseme weights, its audio clock, its time to first audio and the measured sync error.

mod face;
mod hud;
#[path = "../support/screenshot.rs"]
mod screenshot;

use std::time::Duration;

use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::mesh::morph::MorphWeights;
use bevy::prelude::*;
use bevy::window::WindowResolution;
use bevy_lipsync::emulator::{Emulator, EmulatorConfig, EmulatorHandle, OfflineSource};
use bevy_lipsync::inworld::{API_KEY_ENV, Credentials, InworldConfig};
use bevy_lipsync::lipsync::Viseme;
use bevy_lipsync::plugin::SpeechOutput;
use bevy_lipsync::prelude::*;
use screenshot::OneShot;

/// Lines on the number keys.
const SAMPLES: [&str; 5] = [
    "Welcome to the village, stranger! The inn is just past the old mill.",
    "Did you hear that? Something is moving in the forest tonight.",
    "Bring me three wolf pelts and 50 gold coins, and the sword is yours.",
    "[happy] Oh, what a lovely morning! The bread is fresh and the sun is out.",
    "Keep your voice down. <break time=\"400ms\"/> The guards are listening.",
];

/// The talking-NPC demo: two characters whose mouths follow their voices.
#[derive(Resource, Clone, Debug, clap::Parser)]
#[command(name = "talking_npc")]
struct Options {
    /// Speak and answer through the built-in loopback Inworld emulator (the default without a
    /// key).
    #[arg(long)]
    emulator: bool,
    /// Only the offline voice: no emulator, no LLM; typed lines are said as they are.
    #[arg(long, conflicts_with = "emulator")]
    offline: bool,
    /// Hold every mouth in this viseme (AA, PP, ...), for inspecting a rig.
    #[arg(long, value_name = "VISEME")]
    pose: Option<String>,
    /// Save a screenshot here once --after seconds have passed and a mouth is open, then exit.
    #[arg(long, value_name = "PATH")]
    screenshot: Option<String>,
    /// Seconds before the screenshot.
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0)]
    after: f32,
    /// A line the selected character says (a second before the screenshot, if any).
    #[arg(long, value_name = "TEXT")]
    say: Option<String>,
    /// Who says `--say` or answers `--ask` (a character's name, e.g. `Godette`); the selected
    /// one by default.
    #[arg(long, value_name = "NAME")]
    who: Option<String>,
    /// A player line the character answers (a second before the screenshot, if any).
    #[arg(long, value_name = "TEXT", conflicts_with = "say")]
    ask: Option<String>,
    /// The characters: `real` ones loaded from `assets/` (two glTF heads, one rigged with Ready
    /// Player Me visemes, one with ARKit shapes only, and Godette, a VRM character), or the
    /// faces built in `code`.
    #[arg(long, value_name = "KIND", default_value = "real")]
    faces: Faces,
}

/// Which characters the scene shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Faces {
    /// MakeHuman heads from `assets/heads` (CC0/MIT, see `assets/README.md`).
    Real,
    /// Stylised faces built in code.
    Code,
}

/// A character of the scene.
#[derive(Component, Debug)]
struct Npc {
    name: &'static str,
    /// Tab order.
    order: usize,
    /// The entity with the face's `MorphWeights`, for a face built in code; a real head's are
    /// found in its scene once it has spawned.
    face: Option<Entity>,
    /// When it next blinks.
    next_blink: f32,
}

/// Which character the keyboard talks to, and the line being typed.
#[derive(Resource, Debug, Default)]
struct Control {
    selected: usize,
    input: String,
    /// Where speech comes from, for the overlay.
    provider: &'static str,
    /// The A/V calibration (Up/Down, 5 ms a press): positive moves the mouth earlier, negative
    /// later.
    av_offset_ms: i32,
}

/// Keeps the in-process emulator alive for the app's lifetime.
#[derive(Resource)]
#[allow(dead_code)]
struct EmulatorGuard(EmulatorHandle);

fn main() -> AppExit {
    let options = <Options as clap::Parser>::parse();
    let has_key = std::env::var(API_KEY_ENV).is_ok_and(|k| !k.trim().is_empty());
    let mut settings = LipsyncSettings::default();
    let mut app = App::new();
    let use_emulator = options.emulator || (!has_key && !options.offline);
    let provider = if use_emulator {
        let key = "talking-npc-demo";
        let handle = match Emulator::spawn(EmulatorConfig {
            key: Some(key.into()),
            source: std::sync::Arc::new(OfflineSource::default()),
            ..Default::default()
        }) {
            Ok(handle) => handle,
            Err(e) => {
                eprintln!("talking_npc: cannot start the emulator: {e}");
                return AppExit::error();
            }
        };
        let config =
            match InworldConfig::new(Credentials::basic(key)).with_base_url(&handle.base_url()) {
                Ok(config) => config,
                Err(e) => {
                    eprintln!("talking_npc: {e}");
                    return AppExit::error();
                }
            };
        settings.inworld = InworldSetting::Config(Box::new(config));
        app.insert_resource(EmulatorGuard(handle));
        "Inworld emulator"
    } else if has_key {
        "Inworld"
    } else {
        "offline voice"
    };
    let inworld_voices = use_emulator || has_key;
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title: "bevy_lipsync: talking NPCs".into(),
            resolution: WindowResolution::new(1280, 720),
            ..default()
        }),
        ..default()
    }))
    .add_plugins(LipsyncPlugin::new(settings))
    .insert_resource(Control {
        provider,
        ..default()
    })
    .insert_resource(options)
    .insert_resource(VoiceChoice(inworld_voices))
    .insert_resource(Conversation(inworld_voices))
    .insert_resource(ClearColor(Color::srgb(0.16, 0.18, 0.24)))
    .add_systems(Startup, (setup_scene, hud::setup).chain())
    .add_systems(
        Update,
        (
            type_lines,
            calibrate.after(type_lines),
            blink,
            hud::subtitles,
            hud::overlay,
            hud::viseme_bars,
            hud::highlight_selected,
            scripted_line,
            screenshot_mode,
        ),
    )
    .add_systems(
        PostUpdate,
        hud::measure_sync.after(LipsyncSystems::Evaluate),
    )
    .add_observer(hud::on_started)
    .add_observer(hud::on_failed);
    app.run()
}

/// Whether the characters use Inworld voices (a key or the emulator) or the offline ones.
#[derive(Resource, Debug)]
struct VoiceChoice(bool);

/// Whether typed lines are answered (an LLM is reachable) or said as typed.
#[derive(Resource, Debug)]
struct Conversation(bool);

/// Who each character is when it answers.
fn persona(name: &str) -> Persona {
    let who = match name {
        "Mira" => "Mira, the innkeeper of Ashford, warm and a little nosy",
        "Bram" => "Bram, Ashford's blacksmith, gruff, proud of his work",
        _ => "Godette, a wandering bard, playful and fond of rhymes",
    };
    Persona::new(format!(
        "You are {who}, in a fantasy village. The player talks to you. Answer in one to three \
         short spoken sentences, in character, without lists or stage directions."
    ))
}

fn setup_scene(
    mut commands: Commands,
    mut meshes: ResMut<Assets<Mesh>>,
    mut materials: ResMut<Assets<StandardMaterial>>,
    voices: Res<VoiceChoice>,
    options: Res<Options>,
    assets: Res<AssetServer>,
) {
    let real = options.faces == Faces::Real;
    // Aimed left of centre so the overlay on the left covers no face; the real cast is three.
    let camera = if real {
        Transform::from_xyz(-0.6, -0.1, 10.0).looking_at(Vec3::new(-0.6, -0.45, 0.0), Vec3::Y)
    } else {
        Transform::from_xyz(-1.0, -0.1, 7.2).looking_at(Vec3::new(-1.0, -0.45, 0.0), Vec3::Y)
    };
    commands.spawn((
        Camera3d::default(),
        camera,
        AmbientLight {
            brightness: 350.0,
            ..default()
        },
        // Smooth enough with the mesh density here, and far cheaper on software renderers.
        Msaa::Off,
    ));
    commands.spawn((
        DirectionalLight {
            illuminance: 9_000.0,
            ..default()
        },
        Transform::from_xyz(2.0, 4.0, 6.0).looking_at(Vec3::ZERO, Vec3::Y),
    ));
    commands.spawn((
        Mesh3d(meshes.add(Plane3d::default().mesh().size(20.0, 20.0))),
        MeshMaterial3d(materials.add(Color::srgb(0.3, 0.34, 0.3))),
        Transform::from_xyz(0.0, -3.3, 0.0),
    ));
    let characters = [
        (
            "Mira",
            if voices.0 {
                "inworld/inworld-tts-1.5-max:Ashley"
            } else {
                "offline:female"
            },
            -1.55,
            face::Look {
                skin: Color::srgb(0.93, 0.76, 0.64),
                hair: Color::srgb(0.55, 0.22, 0.1),
                lips: Color::srgb(0.78, 0.3, 0.32),
                shirt: Color::srgb(0.25, 0.45, 0.7),
            },
        ),
        (
            "Bram",
            if voices.0 {
                "inworld/inworld-tts-1.5-max:Dennis"
            } else {
                "offline:male"
            },
            1.55,
            face::Look {
                skin: Color::srgb(0.72, 0.52, 0.4),
                hair: Color::srgb(0.15, 0.12, 0.1),
                lips: Color::srgb(0.6, 0.3, 0.28),
                shirt: Color::srgb(0.55, 0.35, 0.2),
            },
        ),
    ];
    // The real heads: metres, facing +z, the head's middle 0.7 m up; scaled to the scene.
    let heads = [
        ("heads/mpfb_head_rpm67.glb", RigPreset::OpenXr),
        ("heads/mpfb_head_arkit52.glb", RigPreset::Arkit52),
    ];
    for (i, (name, voice, x, look)) in characters.into_iter().enumerate() {
        // The real cast is three: the heads move left to leave Godette room.
        let x = if real { [-0.8, 2.0][i] } else { x };
        let turn = Quat::from_rotation_y(-x * 0.12);
        let face = if real {
            let (path, rig) = heads[i].clone();
            let root = commands
                .spawn((
                    WorldAssetRoot(assets.load(GltfAssetLabel::Scene(0).from_asset(path))),
                    Transform::from_xyz(x, -0.3 - 0.7 * HEAD_SCALE, 0.0)
                        .with_rotation(turn)
                        .with_scale(Vec3::splat(HEAD_SCALE)),
                    Speaker::new(voice).with_rig(rig),
                ))
                .id();
            (root, None)
        } else {
            let root = commands
                .spawn((
                    Transform::from_xyz(x, 0.0, 0.0).with_rotation(turn),
                    Visibility::default(),
                    Speaker::new(voice),
                ))
                .id();
            let face =
                face::spawn_character(&mut commands, &mut meshes, &mut materials, root, look);
            (root, Some(face))
        };
        let (root, face) = face;
        commands.entity(root).insert((
            persona(name),
            Npc {
                name,
                order: i,
                face,
                next_blink: 1.5 + i as f32 * 1.3,
            },
        ));
    }
    if real {
        // Godette, a VRM 0.x character: the plugin spawns her scene and binds her face through
        // the file's own expression table. VRM 0.x characters face -z, hence the half turn.
        let voice = if voices.0 {
            "inworld/inworld-tts-1.5-max:Ashley"
        } else {
            "offline:female"
        };
        commands.spawn((
            VrmCharacter(assets.load(GODETTE)),
            Transform::from_xyz(GODETTE_X, -0.3 - GODETTE_HEAD * GODETTE_SCALE, 0.0)
                .with_rotation(Quat::from_rotation_y(
                    std::f32::consts::PI - GODETTE_X * 0.12,
                ))
                .with_scale(Vec3::splat(GODETTE_SCALE)),
            Visibility::default(),
            Speaker::new(voice),
            persona("Godette"),
            Npc {
                name: "Godette",
                order: 2,
                face: None,
                next_blink: 0.0,
            },
        ));
    }
}

/// Godette (CC-BY 3.0, see `assets/vrm`).
const GODETTE: &str = "vrm/Godette_vrm_v4.vrm";
/// Her head's middle above her feet, in metres (her head is 0.58 m wide).
const GODETTE_HEAD: f32 = 1.23;
/// Her head enlarged to the real heads' size on screen.
const GODETTE_SCALE: f32 = 4.3;
/// Where she stands, right of the heads.
const GODETTE_X: f32 = 4.8;

/// How much the real heads (life size, 0.3 m) are enlarged to fill the scene like the built ones.
const HEAD_SCALE: f32 = 8.5;

/// The selected character.
fn selected(npcs: &Query<(Entity, &Npc)>, control: &Control) -> Option<Entity> {
    let count = npcs.iter().count().max(1);
    npcs.iter()
        .find(|(_, npc)| npc.order == control.selected % count)
        .map(|(e, _)| e)
}

fn type_lines(
    mut commands: Commands,
    mut keys: MessageReader<KeyboardInput>,
    mut control: ResMut<Control>,
    conversation: Res<Conversation>,
    npcs: Query<(Entity, &Npc)>,
) {
    for key in keys.read() {
        if key.state != ButtonState::Pressed {
            continue;
        }
        let target = selected(&npcs, &control);
        match &key.logical_key {
            Key::Tab => control.selected = (control.selected + 1) % npcs.iter().count().max(1),
            Key::Enter => {
                let line = std::mem::take(&mut control.input);
                let Some(npc) = target.filter(|_| !line.trim().is_empty()) else {
                    continue;
                };
                match line.strip_prefix("/say ") {
                    Some(text) => {
                        commands.entity(npc).say(Line::interrupting(text));
                    }
                    // A reply cuts in on whatever the character is saying.
                    None if conversation.0 => {
                        commands.entity(npc).reply_to(line);
                    }
                    None => {
                        commands.entity(npc).say(line);
                    }
                }
            }
            Key::Escape => {
                if let Some(npc) = target {
                    commands.entity(npc).stop_speaking();
                }
            }
            Key::Backspace => {
                control.input.pop();
            }
            Key::Character(c) => {
                let digit = c
                    .parse::<usize>()
                    .ok()
                    .filter(|d| (1..=SAMPLES.len()).contains(d));
                match (digit, control.input.is_empty(), target) {
                    (Some(d), true, Some(npc)) => {
                        commands.entity(npc).say(Line::interrupting(SAMPLES[d - 1]));
                    }
                    _ => control.input.push_str(c),
                }
            }
            Key::Space => control.input.push(' '),
            Key::ArrowUp => control.av_offset_ms += 5,
            Key::ArrowDown => control.av_offset_ms -= 5,
            _ => {}
        }
    }
}

/// Applies the A/V calibration, live: every playing voice follows from the next frame. A
/// positive offset is the user offset (the mouth runs ahead); a negative one is added to the
/// output latency the output measured (the sound is taken to leave later).
fn calibrate(
    control: Res<Control>,
    output: Res<SpeechOutput>,
    mut settings: ResMut<LipsyncSettings>,
) {
    if !control.is_changed() {
        return;
    }
    let ms = |ms: i32| Duration::from_millis(u64::from(ms.unsigned_abs()));
    let offset = control.av_offset_ms;
    settings.latency.user_offset = if offset > 0 {
        ms(offset)
    } else {
        Duration::ZERO
    };
    settings.latency.output_latency = (offset < 0).then(|| {
        let measured = output.latency(&Default::default()).output_latency;
        measured.unwrap_or_default() + ms(offset)
    });
}

/// The faces built in code blink every few seconds on their own target (the plugin's
/// `Expression` blinks the real heads, whose eyes have ARKit's `eyeBlinkLeft`/`eyeBlinkRight`).
/// With `--pose`, the named target is held at full weight underneath the lipsync (the plugin adds
/// the mouth on top of what others set).
fn blink(
    time: Res<Time>,
    options: Res<Options>,
    mut npcs: Query<(Entity, &mut Npc)>,
    children: Query<&Children>,
    meshes: Res<Assets<Mesh>>,
    mut weights: Query<&mut MorphWeights>,
) {
    let now = time.elapsed_secs();
    for (root, mut npc) in &mut npcs {
        let since = now - npc.next_blink;
        let closed = if (0.0..0.15).contains(&since) {
            1.0 - (since / 0.075 - 1.0).abs()
        } else {
            0.0
        };
        if since > 0.15 {
            // A deterministic 2.5-5 s wait.
            npc.next_blink = now + 2.5 + (now * 7.31).fract() * 2.5;
        }
        let faces: Vec<Entity> = match npc.face {
            Some(face) => vec![face],
            None => children.iter_descendants(root).collect(),
        };
        for face in faces {
            let Ok(mut w) = weights.get_mut(face) else {
                continue;
            };
            let names: Vec<String> = match npc.face {
                Some(_) => face::target_names(),
                None => w
                    .first_mesh()
                    .and_then(|mesh| meshes.get(mesh))
                    .and_then(|mesh| mesh.morph_target_names())
                    .map(<[String]>::to_vec)
                    .unwrap_or_default(),
            };
            let slot = |name: &str| names.iter().position(|t| t.eq_ignore_ascii_case(name));
            // A viseme by any of its names (`AA`, `viseme_aa`, `aa`), or any target's name.
            let pose = options.pose.as_deref().and_then(|name| {
                let viseme = name.parse::<Viseme>().ok();
                match (npc.face, viseme) {
                    (Some(_), Some(viseme)) => Some(viseme.index()),
                    (None, Some(viseme)) => slot(viseme.rpm_name()),
                    _ => slot(name),
                }
            });
            if let Some(weight) = pose.and_then(|p| w.weights_mut().get_mut(p)) {
                *weight = 1.0;
            }
            // The real heads blink through the plugin (`Expression`), on ARKit's eye targets.
            if npc.face.is_some()
                && let Some(weight) = w.weights_mut().get_mut(face::BLINK_TARGET)
            {
                *weight = closed;
            }
        }
    }
}

/// How long before the screenshot `--say` starts speaking: the screenshot lands a second into
/// the line, mid-sentence, even when software rendering draws only a few frames a second.
const SAY_LEAD: f32 = 1.0;

/// `--say TEXT`: the selected character says it ([`SAY_LEAD`] before `--after` when taking a
/// screenshot, at once otherwise).
fn scripted_line(
    mut commands: Commands,
    options: Res<Options>,
    control: Res<Control>,
    time: Res<Time<Real>>,
    npcs: Query<(Entity, &Npc)>,
    mut said: Local<bool>,
) {
    let start_at = if options.screenshot.is_some() {
        options.after - SAY_LEAD
    } else {
        0.0
    };
    if let Some(text) = options.say.as_ref().or(options.ask.as_ref())
        && !*said
        && time.elapsed_secs() >= start_at
        && let Some(npc) = match &options.who {
            Some(who) => npcs
                .iter()
                .find(|(_, npc)| npc.name.eq_ignore_ascii_case(who))
                .map(|(e, _)| e),
            None => selected(&npcs, &control),
        }
    {
        if options.ask.is_some() {
            commands.entity(npc).reply_to(text.clone());
        } else {
            commands.entity(npc).say(text.clone());
        }
        *said = true;
    }
}

/// `--screenshot PATH --after SECONDS`: saves a screenshot once the time has passed and a mouth
/// is visibly open on a vowel (mid-word), then exits.
fn screenshot_mode(
    mut commands: Commands,
    options: Res<Options>,
    time: Res<Time<Real>>,
    mouths: Query<&Mouth>,
    mut shot: Local<OneShot>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(path) = &options.screenshot else {
        return;
    };
    let waited = time.elapsed_secs() >= options.after;
    let open = mouths.iter().any(|m| {
        m.viseme.is_vowel() && m.weights.weights.iter().copied().fold(0.0, f32::max) > 0.4
    });
    let overdue = time.elapsed_secs() >= options.after + 60.0;
    let ready = waited && (open || overdue || options.say.is_none());
    if ready && overdue && !open && !shot.taken() {
        warn!("talking_npc: no mouth opened in time; saving the screenshot anyway");
    }
    shot.update(&mut commands, path, ready, &mut exit);
}
