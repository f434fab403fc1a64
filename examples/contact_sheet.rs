//! A contact sheet of a real character: its 15 viseme poses and the emotions, in one picture.
//!
//! ```text
//! cargo run --release --example contact_sheet -- --out contact_sheet.png
//! cargo run --release --example contact_sheet -- --character godette --out godette.png
//! ```
//!
//! `rpm67` is `assets/heads/mpfb_head_rpm67.glb` (MakeHuman, CC0; viseme targets MIT), loaded
//! through the `AssetServer` 20 times. The top three rows hold each viseme at full weight,
//! written by name onto its `viseme_*` target the way the OpenXR preset binds it.
//!
//! `godette` is `assets/vrm/Godette_vrm_v4.vrm` (CC-BY 3.0), a VRM 0.x character with five
//! vowel shapes and no viseme targets: each viseme is posed through the rig her own expression
//! table gives ([`VrmExpressions::rig`]), exactly what the plugin writes when she speaks it.
//!
//! The last row shows each [`Emotion`] through the plugin's [`Expression`] (blinks off): on the
//! head's ARKit targets, or on Godette's table's `joy`/`sorrow`/`angry`. Licences are in
//! `assets/README.md`. Without a display, run it under
//! `xvfb-run -a -s "-screen 0 1600x1000x24"`.

#[path = "support/screenshot.rs"]
mod screenshot;

use bevy::mesh::morph::MorphWeights;
use bevy::prelude::*;
use bevy::window::WindowResolution;
use bevy_lipsync::lipsync::{JAW_OPENING, VrmExpressions};
use bevy_lipsync::prelude::*;
use screenshot::OneShot;

const HEAD: &str = "heads/mpfb_head_rpm67.glb";
const GODETTE: &str = "vrm/Godette_vrm_v4.vrm";
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
    /// Whose sheet: the MakeHuman head with Ready Player Me visemes, or Godette (VRM).
    #[arg(long, value_name = "NAME", default_value = "rpm67")]
    character: Character,
}

/// The characters a sheet can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Character {
    /// `assets/heads/mpfb_head_rpm67.glb`: life size, facing +z, the head's middle 0.7 m up.
    Rpm67,
    /// `assets/vrm/Godette_vrm_v4.vrm`: facing -z (VRM 0.x), her head 0.58 m wide, its middle
    /// 1.23 m up.
    Godette,
}

impl Character {
    /// Scale, and height of the head's middle in the file (metres).
    fn fit(self) -> (f32, f32) {
        match self {
            Character::Rpm67 => (1.0, 0.7),
            Character::Godette => (0.45, 1.23),
        }
    }

    /// Where the character stands to put its head's middle on `cell`.
    fn placed(self, cell: Vec3) -> Transform {
        let (scale, middle) = self.fit();
        let turn = match self {
            Character::Rpm67 => Quat::IDENTITY,
            Character::Godette => Quat::from_rotation_y(std::f32::consts::PI),
        };
        Transform::from_translation(cell - Vec3::Y * middle * scale)
            .with_rotation(turn)
            .with_scale(Vec3::splat(scale))
    }
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
            output: OutputMode::Virtual(OutputConfig::default()),
            ..default()
        }))
        .insert_resource(options)
        .insert_resource(ClearColor(Color::srgb(0.16, 0.18, 0.24)))
        .add_systems(Startup, setup)
        .add_systems(Update, (hide_bodies, hold_poses, take))
        .run()
}

/// The middle of cell `i` of the sheet (row-major from the top left).
fn cell(i: usize) -> Vec3 {
    let (row, column) = (i / COLUMNS, i % COLUMNS);
    let x = (column as f32 - (COLUMNS as f32 - 1.0) / 2.0) * SPACING.x;
    let y = -(row as f32) * SPACING.y;
    Vec3::new(x, y, 0.0)
}

fn setup(mut commands: Commands, assets: Res<AssetServer>, options: Res<Options>) {
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
    let character = options.character;
    let godette: Handle<Vrm> = assets.load(GODETTE);
    let spawn = |commands: &mut Commands, i: usize| {
        let at = character.placed(cell(i));
        match character {
            Character::Rpm67 => commands.spawn((
                WorldAssetRoot(assets.load(GltfAssetLabel::Scene(0).from_asset(HEAD))),
                at,
            )),
            Character::Godette => commands.spawn((VrmCharacter(godette.clone()), at)),
        }
        .id()
    };
    for (i, viseme) in Viseme::ALL.into_iter().enumerate() {
        let root = spawn(&mut commands, i);
        commands.entity(root).insert(Pose(viseme));
    }
    for (j, emotion) in EMOTIONS.into_iter().enumerate() {
        let root = spawn(&mut commands, Viseme::ALL.len() + j);
        commands.entity(root).insert((
            Speaker::new("offline:female"),
            Expression::new(emotion).with_blinks(false),
        ));
    }
}

/// Godette's body would reach into the row below: only her face mesh shows.
fn hide_bodies(mut nodes: Query<(&Name, &mut Visibility), Added<Name>>) {
    for (name, mut visibility) in &mut nodes {
        if name.as_str() == "Body" {
            *visibility = Visibility::Hidden;
        }
    }
}

/// Holds each posed head's viseme at full weight: by name on the head's `viseme_*` target, or
/// through the rig of Godette's expression table (her face is glTF mesh 0).
fn hold_poses(
    poses: Query<(Entity, &Pose, Option<&VrmCharacter>)>,
    children: Query<&Children>,
    meshes: Res<Assets<Mesh>>,
    vrms: Res<Assets<Vrm>>,
    mut weights: Query<&mut MorphWeights>,
) {
    for (root, pose, vrm) in &poses {
        for entity in children.iter_descendants(root) {
            let Ok(mut w) = weights.get_mut(entity) else {
                continue;
            };
            if let Some(vrm) = vrm.and_then(|c| vrms.get(&c.0)) {
                pose_vrm(&vrm.expressions, pose.0, w.weights_mut());
                continue;
            }
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

/// Writes `viseme` at full weight, with the jaw its shape opens, through the table's rig.
fn pose_vrm(table: &VrmExpressions, viseme: Viseme, out: &mut [f32]) {
    let names = &table.meshes[0].target_names;
    let mut mouth = VisemeWeights::REST;
    mouth.weights[viseme.index()] = 1.0;
    mouth.jaw_open = JAW_OPENING[viseme.index()];
    table.rig(0).bind(names).apply(&mouth, out);
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
