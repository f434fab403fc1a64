//! Stylised heads built in code, with real morph targets: the 15 viseme shapes named the Ready
//! Player Me way (`viseme_aa`, ...), `jawOpen`, and `blink`.
//!
//! The mouth is a ring of lips around a dark cavity, with upper teeth and a tongue behind. Each
//! viseme is a *pose* of a few readable parameters (opening width, upper and lower lip
//! heights, protrusion, corner lift, tongue place); every mesh's morph target is its vertices
//! in that pose minus its vertices at rest, so the shapes add up the way blendshapes do.

use bevy::asset::RenderAssetUsages;
use bevy::mesh::morph::{MeshMorphWeights, MorphAttributes, MorphWeights};
use bevy::mesh::{Indices, PrimitiveTopology};
use bevy::prelude::*;
use bevy_lipsync::lipsync::Viseme;

/// Where the mouth sits on the head (head radius 1, facing +Z).
const MOUTH: Vec3 = Vec3::new(0.0, -0.42, 0.93);
/// Segments around the lip ring, and rings across each lip.
const AROUND: usize = 48;
const ACROSS: usize = 5;

/// A mouth shape in a few numbers (head units).
#[derive(Clone, Copy, Debug)]
struct Pose {
    /// Half-width of the opening.
    width: f32,
    /// How far the upper lip's inner edge rises above the mouth line.
    upper: f32,
    /// How far the lower lip's inner edge drops below it.
    lower: f32,
    /// Lips pushed forward.
    protrude: f32,
    /// Corners raised (a smile) or lowered.
    corners: f32,
    /// Lip thickness scale (pressed lips are thinner).
    thickness: f32,
    /// Tongue tip height (relative to the mouth line) and how far forward it comes.
    tongue_y: f32,
    tongue_z: f32,
}

const REST: Pose = Pose {
    width: 0.28,
    upper: 0.004,
    lower: 0.004,
    protrude: 0.0,
    corners: 0.0,
    thickness: 1.0,
    tongue_y: -0.04,
    tongue_z: -0.07,
};

/// The readable shape of each viseme (after the table in `lipsync_core`'s `Viseme` docs).
fn pose(viseme: Viseme) -> Pose {
    let p = |width, upper, lower, protrude, corners, thickness, tongue_y, tongue_z| Pose {
        width,
        upper,
        lower,
        protrude,
        corners,
        thickness,
        tongue_y,
        tongue_z,
    };
    use Viseme::*;
    match viseme {
        Sil => REST,
        // Pressed together, thinned, slightly rolled in.
        Pp => p(0.28, -0.012, -0.012, -0.01, 0.0, 0.7, -0.04, -0.07),
        // Upper lip lifted off the teeth; lower lip tucked up under them.
        Ff => p(0.3, 0.09, 0.0, -0.005, 0.01, 0.85, -0.04, -0.07),
        // Parted, tongue tip forward between the teeth.
        Th => p(0.28, 0.05, 0.08, 0.0, 0.0, 1.0, 0.0, 0.04),
        // Parted a little, tongue up behind the teeth.
        Dd => p(0.28, 0.045, 0.09, 0.0, 0.0, 1.0, 0.01, -0.04),
        Kk => p(0.27, 0.05, 0.12, 0.0, 0.0, 1.0, -0.08, -0.07),
        // Pushed forward and rounded, teeth together.
        Ch => p(0.17, 0.07, 0.05, 0.07, 0.0, 1.05, -0.06, -0.07),
        // Spread a little, teeth together and showing.
        Ss => p(0.32, 0.07, 0.035, 0.0, 0.02, 0.95, -0.06, -0.07),
        Nn => p(0.28, 0.045, 0.08, 0.0, 0.0, 1.0, 0.01, -0.04),
        Rr => p(0.18, 0.05, 0.08, 0.04, 0.0, 1.05, -0.07, -0.07),
        // Wide open: the jaw drops.
        Aa => p(0.27, 0.09, 0.3, 0.0, 0.0, 1.0, -0.2, -0.07),
        // Half open and spread.
        E => p(0.33, 0.07, 0.16, 0.0, 0.03, 0.95, -0.14, -0.07),
        // Spread wide, a smile, slightly open.
        Ih => p(0.36, 0.065, 0.08, 0.0, 0.05, 0.9, -0.08, -0.07),
        // A rounded open ring.
        Oh => p(0.15, 0.11, 0.17, 0.07, -0.01, 1.15, -0.16, -0.07),
        // Tightly rounded and pushed out.
        Ou => p(0.075, 0.05, 0.05, 0.12, 0.0, 1.25, -0.06, -0.07),
    }
}

/// The jaw alone (the audio-driven fallback): lower lip and tongue drop.
const JAW_OPEN: Pose = Pose {
    upper: 0.04,
    lower: 0.22,
    tongue_y: -0.2,
    ..REST
};

/// The morph target names, in order: the 15 visemes, `jawOpen`, `blink`.
pub fn target_names() -> Vec<String> {
    let mut names: Vec<String> = Viseme::ALL
        .iter()
        .map(|v| v.rpm_name().to_owned())
        .collect();
    names.push("jawOpen".into());
    names.push("blink".into());
    names
}

/// The poses of the mouth targets, in [`target_names`] order (`blink` is the rest pose).
fn target_poses() -> Vec<Pose> {
    let mut poses: Vec<Pose> = Viseme::ALL.iter().map(|&v| pose(v)).collect();
    poses.push(JAW_OPEN);
    poses.push(REST);
    poses
}

const BLINK: usize = Viseme::COUNT + 1;

/// A point of the lip ring: `angle` around (0 = right corner, upper lip for sin > 0), `across`
/// from the inner edge (0) to the outer edge (1).
fn lip_point(pose: &Pose, angle: f32, across: f32) -> Vec3 {
    let (s, c) = angle.sin_cos();
    let upper = s >= 0.0;
    let inner_y = if upper {
        pose.upper * s
    } else {
        pose.lower * s
    };
    let lip = 0.1 * pose.thickness;
    let outer_w = pose.width + 0.1 * pose.thickness;
    let outer_y = if upper {
        (pose.upper + lip * 1.1) * s
    } else {
        (pose.lower + lip * 1.2) * s
    };
    let x = (pose.width + (outer_w - pose.width) * across) * c;
    let corner = pose.corners * c.abs().powi(4);
    let y = inner_y + (outer_y - inner_y) * across + corner;
    // Lips bulge forward in the middle of their width, and sit back at the corners.
    let bulge =
        0.035 * pose.thickness * (std::f32::consts::PI * across).sin() * (1.0 - 0.6 * c.abs());
    let z = pose.protrude * (1.0 - 0.5 * c.abs()) + bulge - 0.05 * c.abs().powi(2);
    MOUTH + Vec3::new(x, y, z)
}

/// The cavity: a fan from the inner lip edge to a point far behind it.
fn cavity_point(pose: &Pose, angle: f32, depth: f32) -> Vec3 {
    let edge = lip_point(pose, angle, 0.0);
    let centre = MOUTH + Vec3::new(0.0, (pose.upper - pose.lower) * 0.5, -0.12);
    edge.lerp(centre, depth) + Vec3::new(0.0, 0.0, -0.01)
}

/// A mesh from a position function over a grid, with morph targets for every pose.
fn grid_mesh(
    columns: usize,
    rows: usize,
    wrap: bool,
    position: impl Fn(&Pose, f32, f32) -> Vec3,
    extra_targets: &[Option<Vec<Vec3>>],
) -> Mesh {
    let poses = target_poses();
    let u = |i: usize| {
        i as f32
            / if wrap {
                columns as f32
            } else {
                (columns - 1) as f32
            }
    };
    let v = |j: usize| j as f32 / (rows - 1) as f32;
    let at = |pose: &Pose| -> Vec<Vec3> {
        (0..rows)
            .flat_map(|j| (0..columns).map(move |i| (i, j)))
            .map(|(i, j)| position(pose, u(i), v(j)))
            .collect()
    };
    let rest = at(&REST);
    let mut indices = Vec::new();
    let cols_quads = if wrap { columns } else { columns - 1 };
    for j in 0..rows - 1 {
        for i in 0..cols_quads {
            let a = (j * columns + i) as u32;
            let b = (j * columns + (i + 1) % columns) as u32;
            let c = ((j + 1) * columns + (i + 1) % columns) as u32;
            let d = ((j + 1) * columns + i) as u32;
            // Counter-clockwise seen from the front (+Z), so the computed normals face the camera.
            indices.extend_from_slice(&[a, c, b, a, d, c]);
        }
    }
    let mut targets = Vec::with_capacity(poses.len() * rest.len());
    for (t, pose) in poses.iter().enumerate() {
        let posed = match extra_targets.get(t).and_then(Option::as_ref) {
            Some(custom) => custom.clone(),
            None => at(pose),
        };
        targets.extend(
            posed
                .iter()
                .zip(&rest)
                .map(|(p, r)| MorphAttributes::new(*p - *r, Vec3::ZERO, Vec3::ZERO)),
        );
    }
    let normals = vec![Vec3::Z; rest.len()];
    let uvs: Vec<[f32; 2]> = (0..rest.len()).map(|_| [0.0, 0.0]).collect();
    let mut mesh = Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::default(),
    )
    .with_inserted_attribute(Mesh::ATTRIBUTE_POSITION, rest)
    .with_inserted_attribute(Mesh::ATTRIBUTE_NORMAL, normals)
    .with_inserted_attribute(Mesh::ATTRIBUTE_UV_0, uvs)
    .with_inserted_indices(Indices::U32(indices));
    mesh.set_morph_targets(targets);
    mesh.set_morph_target_names(target_names());
    mesh
}

fn lips_mesh() -> Mesh {
    grid_mesh(
        AROUND,
        ACROSS,
        true,
        |pose, u, v| lip_point(pose, u * std::f32::consts::TAU, v),
        &[],
    )
}

fn cavity_mesh() -> Mesh {
    grid_mesh(
        AROUND,
        3,
        true,
        |pose, u, v| cavity_point(pose, u * std::f32::consts::TAU, v),
        &[],
    )
}

/// Upper teeth: a curved strip behind the upper lip. The head has no hole for a mouth (the lips
/// sit on its surface), so the teeth follow the lips' outline to stay hidden behind them: they
/// narrow when the lips round and drop when the upper lip thins.
fn teeth_mesh() -> Mesh {
    grid_mesh(
        16,
        2,
        false,
        |pose, u, v| {
            let half_width = (pose.width * 0.85 + 0.03).min(0.2);
            let x = (u - 0.5) * 2.0 * half_width;
            let top = (pose.upper + 0.1 * pose.thickness - 0.02).min(0.075);
            let curve = -0.5 * x * x;
            MOUTH + Vec3::new(x, top - 0.1 * v, -0.035 + curve)
        },
        &[],
    )
}

/// The tongue: a flat oval whose tip follows the pose.
fn tongue_mesh() -> Mesh {
    grid_mesh(
        12,
        6,
        false,
        |pose, u, v| {
            let x = (u - 0.5) * 0.3 * (1.0 - 0.5 * v);
            // v = 1 is the tip.
            let y = pose.tongue_y - 0.03 * (1.0 - v) - 0.1 * x * x;
            let z = -0.07 - 0.04 * (1.0 - v) + (pose.tongue_z + 0.07) * v;
            MOUTH + Vec3::new(x, y, z)
        },
        &[],
    )
}

/// An eyelid: at rest a sliver above the eye; `blink` drops it over the eye.
fn eyelid_mesh(eye: Vec3) -> Mesh {
    let lid = |closed: f32, u: f32, v: f32| {
        let angle = (u - 0.5) * std::f32::consts::PI;
        let r = 0.175;
        // v runs from the lid's top edge (0) to its lower edge (1).
        let drop = v * (0.04 + 0.33 * closed);
        let x = r * angle.sin() * 1.05;
        let top = 0.165 * angle.cos().max(0.0).sqrt();
        let y = top - drop * angle.cos().max(0.2);
        let z = 0.14 + 0.05 * (1.0 - v * 0.5) * angle.cos();
        eye + Vec3::new(x, y, z)
    };
    let columns = 14;
    let rows = 4;
    let blinked: Vec<Vec3> = (0..rows)
        .flat_map(|j| (0..columns).map(move |i| (i, j)))
        .map(|(i, j)| {
            lid(
                1.0,
                i as f32 / (columns - 1) as f32,
                j as f32 / (rows - 1) as f32,
            )
        })
        .collect();
    let mut extra = vec![None; BLINK + 1];
    extra[BLINK] = Some(blinked);
    // Every mouth pose leaves the lids where they are.
    grid_mesh(columns, rows, false, move |_, u, v| lid(0.0, u, v), &extra)
}

/// What tells two characters apart.
#[derive(Clone, Copy, Debug)]
pub struct Look {
    /// Skin colour.
    pub skin: Color,
    /// Hair or hat colour.
    pub hair: Color,
    /// Lip colour.
    pub lips: Color,
    /// Shirt colour.
    pub shirt: Color,
}

/// Spawns a character at `at`: body, head, eyes, and the rigged face under `root`.
/// Returns the entity that carries the `MorphWeights` (put the `Speaker` on `root`).
pub fn spawn_character(
    commands: &mut Commands,
    meshes: &mut Assets<Mesh>,
    materials: &mut Assets<StandardMaterial>,
    root: Entity,
    look: Look,
) -> Entity {
    let material = |materials: &mut Assets<StandardMaterial>, color: Color, rough: f32| {
        materials.add(StandardMaterial {
            base_color: color,
            perceptual_roughness: rough,
            double_sided: true,
            cull_mode: None,
            ..default()
        })
    };
    let skin = material(materials, look.skin, 0.7);
    let head = commands
        .spawn((
            Mesh3d(meshes.add(Sphere::new(1.0).mesh().uv(48, 32))),
            MeshMaterial3d(skin.clone()),
            Transform::from_scale(Vec3::new(0.95, 1.08, 0.92)),
            ChildOf(root),
        ))
        .id();
    // Hair: a cap over the back and top of the head.
    commands.spawn((
        Mesh3d(meshes.add(Sphere::new(1.04).mesh().uv(32, 24))),
        MeshMaterial3d(material(materials, look.hair, 0.9)),
        Transform::from_xyz(0.0, 0.28, -0.18).with_scale(Vec3::new(1.0, 0.8, 0.95)),
        ChildOf(root),
    ));
    // Body.
    commands.spawn((
        Mesh3d(meshes.add(Capsule3d::new(0.75, 1.2))),
        MeshMaterial3d(material(materials, look.shirt, 0.8)),
        Transform::from_xyz(0.0, -2.1, -0.1),
        ChildOf(root),
    ));
    let white = material(materials, Color::srgb(0.95, 0.95, 0.92), 0.3);
    let dark = material(materials, Color::srgb(0.08, 0.05, 0.04), 0.3);
    let eyes = [Vec3::new(-0.33, 0.22, 0.78), Vec3::new(0.33, 0.22, 0.78)];
    for eye in eyes {
        commands.spawn((
            Mesh3d(meshes.add(Sphere::new(0.17).mesh().uv(24, 16))),
            MeshMaterial3d(white.clone()),
            Transform::from_translation(eye),
            ChildOf(root),
        ));
        commands.spawn((
            Mesh3d(meshes.add(Sphere::new(0.075).mesh().uv(16, 12))),
            MeshMaterial3d(dark.clone()),
            Transform::from_translation(eye + Vec3::new(0.0, 0.0, 0.125)),
            ChildOf(root),
        ));
    }
    let _ = head;

    let lips = meshes.add(lips_mesh());
    let weights = MorphWeights::new(vec![0.0; target_names().len()], Some(lips.clone()))
        // 17 targets is far below Bevy's limit of 256.
        .expect("within Bevy's morph target limit");
    let face = commands
        .spawn((
            Transform::default(),
            Visibility::default(),
            weights,
            ChildOf(root),
        ))
        .id();
    let parts = [
        (lips, material(materials, look.lips, 0.5)),
        (
            meshes.add(cavity_mesh()),
            material(materials, Color::srgb(0.18, 0.03, 0.04), 1.0),
        ),
        (meshes.add(teeth_mesh()), white.clone()),
        (
            meshes.add(tongue_mesh()),
            material(materials, Color::srgb(0.85, 0.35, 0.4), 0.6),
        ),
        (meshes.add(eyelid_mesh(eyes[0])), skin.clone()),
        (meshes.add(eyelid_mesh(eyes[1])), skin),
    ];
    for (mesh, material) in parts {
        commands.spawn((
            Mesh3d(mesh),
            MeshMaterial3d(material),
            MeshMorphWeights::Reference(face),
            ChildOf(face),
        ));
    }
    face
}

/// Index of the `blink` target.
pub const BLINK_TARGET: usize = BLINK;
