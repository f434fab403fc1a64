//! A contact sheet of a real head: its 15 viseme poses and the emotions, in one picture.
//!
//! ```text
//! cargo run --release --example contact_sheet -- --out contact_sheet.png
//! ```
//!
//! The head is `assets/heads/mpfb_head_rpm67.glb` (MakeHuman, CC0; viseme targets MIT, see
//! `assets/README.md`), loaded through the `AssetServer` 20 times. The top three rows hold each
//! viseme at full weight, written by name onto its `viseme_*` target the way the OpenXR preset
//! binds it; the last row shows each [`Emotion`] through the plugin's [`Expression`] on the
//! head's ARKit targets (blinks off). Without a display, run it under
//! `xvfb-run -a -s "-screen 0 1600x1000x24"`.

#[path = "support/screenshot.rs"]
mod screenshot;

use bevy::mesh::morph::MorphWeights;
use bevy::prelude::*;
use bevy::window::WindowResolution;
use bevy_lipsync::prelude::*;
use screenshot::OneShot;

const HEAD: &str = "heads/mpfb_head_rpm67.glb";
const EMOTIONS: [Emotion; 5] = [
    Emotion::Neutral,
    Emotion::Happy,
    Emotion::Sad,
    Emotion::Angry,
    Emotion::Surprised,
];
/// Columns of the sheet, and the distance between heads (metres: the heads are life size).
const COLUMNS: usize = 5;
const SPACING: Vec2 = Vec2::new(0.40, 0.30);

/// A contact sheet of the real head's viseme poses and emotions.
#[derive(Resource, Clone, Debug, clap::Parser)]
#[command(name = "contact_sheet")]
struct Options {
    /// Where to save the sheet.
    #[arg(long, value_name = "PATH", default_value = "contact_sheet.png")]
    out: String,
    /// Seconds to let the heads load and the pipelines compile before the picture.
    #[arg(long, value_name = "SECONDS", default_value_t = 6.0)]
    after: f32,
}

/// Which viseme a posed head holds.
#[derive(Component)]
struct Pose(Viseme);

fn main() -> AppExit {
    let options = <Options as clap::Parser>::parse();
    App::new()
        .add_plugins(DefaultPlugins.set(WindowPlugin {
            primary_window: Some(Window {
                title: "bevy_lipsync: contact sheet".into(),
                resolution: WindowResolution::new(1600, 1000),
                ..default()
            }),
            ..default()
        }))
        .add_plugins(LipsyncPlugin::new(LipsyncSettings {
            inworld: InworldSetting::Disabled,
            output: OutputSetting::Virtual,
            ..default()
        }))
        .insert_resource(options)
        .insert_resource(ClearColor(Color::srgb(0.16, 0.18, 0.24)))
        .add_systems(Startup, setup)
        .add_systems(Update, (hold_poses, take))
        .run()
}

/// Where cell `i` of the sheet sits (row-major from the top left).
fn cell(i: usize) -> Vec3 {
    let (row, column) = (i / COLUMNS, i % COLUMNS);
    let x = (column as f32 - (COLUMNS as f32 - 1.0) / 2.0) * SPACING.x;
    let y = -(row as f32) * SPACING.y;
    // The head's middle is 0.7 m up in its file.
    Vec3::new(x, y - 0.7, 0.0)
}

fn setup(mut commands: Commands, assets: Res<AssetServer>) {
    let rows = (Viseme::ALL.len() + EMOTIONS.len()).div_ceil(COLUMNS);
    let middle = -(rows as f32 - 1.0) / 2.0 * SPACING.y;
    commands.spawn((
        Camera3d::default(),
        Projection::from(PerspectiveProjection {
            fov: 0.5,
            ..default()
        }),
        Transform::from_xyz(0.0, middle, 2.6).looking_at(Vec3::new(0.0, middle, 0.0), Vec3::Y),
        AmbientLight {
            brightness: 400.0,
            ..default()
        },
    ));
    commands.spawn((
        DirectionalLight {
            illuminance: 8_000.0,
            ..default()
        },
        Transform::from_xyz(1.0, 2.0, 4.0).looking_at(Vec3::ZERO, Vec3::Y),
    ));
    // What each cell shows, row by row.
    let visemes: Vec<String> = Viseme::ALL.iter().map(|v| format!("{v:?}")).collect();
    let emotions: Vec<String> = EMOTIONS.iter().map(|e| format!("{e:?}")).collect();
    commands.spawn((
        Text::new(format!(
            "rows 1-3, left to right: {}\nrow 4: {}",
            visemes.join(" "),
            emotions.join(" ")
        )),
        TextFont {
            font_size: FontSize::Px(18.0),
            ..default()
        },
        Node {
            position_type: PositionType::Absolute,
            top: Val::Px(8.0),
            left: Val::Px(12.0),
            ..default()
        },
    ));
    let scene = || WorldAssetRoot(assets.load(GltfAssetLabel::Scene(0).from_asset(HEAD)));
    for (i, viseme) in Viseme::ALL.into_iter().enumerate() {
        commands.spawn((scene(), Transform::from_translation(cell(i)), Pose(viseme)));
    }
    for (j, emotion) in EMOTIONS.into_iter().enumerate() {
        let i = Viseme::ALL.len() + j;
        commands.spawn((
            scene(),
            Transform::from_translation(cell(i)),
            Speaker::new("offline:female"),
            Expression::new(emotion).with_blinks(false),
        ));
    }
}

/// Holds each posed head's viseme target at full weight, found by name on its mesh.
fn hold_poses(
    poses: Query<(Entity, &Pose)>,
    children: Query<&Children>,
    meshes: Res<Assets<Mesh>>,
    mut weights: Query<&mut MorphWeights>,
) {
    for (root, pose) in &poses {
        for entity in children.iter_descendants(root) {
            let Ok(mut w) = weights.get_mut(entity) else {
                continue;
            };
            let Some(index) = w
                .first_mesh()
                .and_then(|mesh| meshes.get(mesh))
                .and_then(|mesh| mesh.morph_target_names())
                .and_then(|names| names.iter().position(|n| n == pose.0.rpm_name()))
            else {
                continue;
            };
            if let Some(slot) = w.weights_mut().get_mut(index) {
                *slot = 1.0;
            }
        }
    }
}

fn take(
    mut commands: Commands,
    options: Res<Options>,
    time: Res<Time<Real>>,
    mut shot: Local<OneShot>,
    mut exit: MessageWriter<AppExit>,
) {
    let ready = time.elapsed_secs() >= options.after;
    shot.update(&mut commands, &options.out, ready, &mut exit);
}
