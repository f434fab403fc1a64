//! Finding a speaker's morph targets and writing its mouth onto them.
//!
//! Any entity with `MorphWeights` under a [`Speaker`] (itself included) is bound once its mesh
//! is loaded: the morph target names are read from the mesh and resolved through the speaker's
//! [`RigPreset`](crate::lipsync::RigPreset) (or a [`MouthRig`] on the mesh entity). glTF scenes
//! bind when they spawn, since their `MorphWeights` appear then.
//!
//! Writing layers on animation: each bound target gets `base + mouth`, where `base` is the
//! value something else (an `AnimationPlayer`, the game) last put there. The writer remembers
//! what it wrote, so a value that differs was set by someone else and becomes the new base.

use std::borrow::Cow;

use bevy::gltf::GltfExtras;
use bevy::mesh::morph::MorphWeights;
use bevy::mesh::{Mesh, Mesh3d};
use bevy::prelude::*;

use crate::lipsync::{ExpressionBinding, RigBinding, RigPreset};

use super::expression::Expression;
use super::speaker::{Mouth, MouthRig, Speaker};
use super::vrm::{Vrm, VrmCharacter, gltf_mesh_index};

/// Morph-target faces: meshes under a [`Speaker`] are bound to its rig preset (or a VRM file's
/// table) once loaded, and the mouth, with any expression, is added onto their weights after
/// animation.
pub struct MorphRigPlugin;

impl Plugin for MorphRigPlugin {
    fn build(&self, app: &mut App) {
        super::require_on_speakers::<RigReport>(app);
        if !app.world().contains_resource::<Assets<Vrm>>() {
            app.init_asset::<Vrm>();
        }
        app.register_type::<RigReport>().add_systems(
            PostUpdate,
            (
                (rebind_changed_speakers, bind_morphs, warn_unrigged)
                    .chain()
                    .in_set(super::Step::Morphs),
                write_morphs.in_set(super::LipsyncSystems::Write),
            ),
        );
    }
}

/// A `MorphWeights` entity bound to a speaker's mouth.
#[derive(Component, Debug)]
pub(crate) struct BoundMorphs {
    speaker: Entity,
    binding: RigBinding,
    /// The expression targets the mouth does not drive (eyes, brows, lip corners).
    expression: ExpressionBinding,
    /// The mouth's and the expression's contribution this frame, indexed like the targets.
    mouth: Vec<f32>,
    /// What others put on each target.
    base: Vec<f32>,
    /// What this writer last wrote.
    written: Vec<f32>,
}

/// A `MorphWeights` entity with no speaker above it (checked again if one appears).
#[derive(Component, Debug)]
pub(crate) struct NotASpeakerMesh;

/// How many morph targets a speaker drives, for the warning about rigs with none.
#[derive(Component, Debug, Default, Reflect)]
#[reflect(Component, Default, Debug)]
pub struct RigReport {
    /// Meshes bound under the speaker.
    pub meshes: usize,
    /// Morph targets the preset drives on them.
    pub targets: usize,
    /// Whether a bound morph target opens with the jaw (`jawOpen`, VRM's `aa`); if none does, a
    /// [`JawBone`](super::JawBone) opens the jaw.
    pub jaw_morph: bool,
    /// Names seen on meshes that bound nothing, for the warning.
    pub(crate) unmatched: Vec<String>,
    pub(crate) warned: bool,
}

impl RigReport {
    /// Morph target names found on meshes that bound nothing (what the warning lists).
    pub fn unmatched(&self) -> &[String] {
        &self.unmatched
    }

    /// Whether the "this mouth cannot move" warning was logged for the speaker.
    pub fn warned(&self) -> bool {
        self.warned
    }
}

/// The preset a speaker's meshes were last bound with.
#[derive(Component, Debug)]
pub(crate) struct BoundPreset(RigPreset);

/// When a speaker appears or its rig preset changes, its meshes are bound afresh. Other changes
/// (gain, voice, rate) leave the binding alone. A mesh being unbound gets back the weights it had
/// under the mouth, so the new binding never takes the mouth for the mesh's own weights.
pub(crate) fn rebind_changed_speakers(
    mut commands: Commands,
    changed: Query<(Entity, &Speaker, Option<&BoundPreset>), Changed<Speaker>>,
    children: Query<&Children>,
    mut morphs: Query<(&mut MorphWeights, Option<&BoundMorphs>)>,
) {
    for (speaker, component, bound_with) in &changed {
        if bound_with.is_some_and(|bound| bound.0 == component.rig) {
            continue;
        }
        commands
            .entity(speaker)
            .insert((RigReport::default(), BoundPreset(component.rig.clone())));
        for entity in std::iter::once(speaker).chain(children.iter_descendants(speaker)) {
            let Ok((mut weights, bound)) = morphs.get_mut(entity) else {
                continue;
            };
            if let Some(bound) = bound {
                bound.restore(&mut weights);
            }
            commands
                .entity(entity)
                .remove::<(BoundMorphs, NotASpeakerMesh)>();
        }
    }
}

impl BoundMorphs {
    /// Takes the mouth back off `weights`: every target this writer last wrote, and nobody
    /// changed since, returns to what others had put there.
    fn restore(&self, weights: &mut MorphWeights) {
        let out = weights.weights_mut();
        for index in self.binding.targets().chain(self.expression.targets()) {
            if let (Some(slot), Some(&base), Some(&written)) = (
                out.get_mut(index),
                self.base.get(index),
                self.written.get(index),
            ) && *slot == written
            {
                *slot = base;
            }
        }
    }
}

/// Where a mesh's morph targets are read: its [`Mesh`], and the glTF file it came from.
#[derive(bevy::ecs::system::SystemParam)]
pub(crate) struct GltfSource<'w, 's> {
    meshes: Res<'w, Assets<Mesh>>,
    mesh3d: Query<'w, 's, &'static Mesh3d>,
    server: Res<'w, AssetServer>,
    vrms: Res<'w, Assets<Vrm>>,
    characters: Query<'w, 's, &'static VrmCharacter>,
    extras: Query<'w, 's, &'static GltfExtras>,
}

/// Binds every unbound `MorphWeights` whose mesh is loaded: through the file's expression
/// table under a [`VrmCharacter`], else through the speaker's preset (or the mesh's
/// [`MouthRig`]).
#[allow(clippy::type_complexity)]
pub(crate) fn bind_morphs(
    mut commands: Commands,
    source: GltfSource,
    unbound: Query<
        (Entity, &MorphWeights, Option<&MouthRig>),
        (Without<BoundMorphs>, Without<NotASpeakerMesh>),
    >,
    parents: Query<&ChildOf>,
    children: Query<&Children>,
    mut speakers: Query<(&Speaker, &mut RigReport)>,
) {
    for (entity, weights, mouth_rig) in &unbound {
        let speaker = mouth_rig.and_then(|r| r.speaker).or_else(|| {
            std::iter::once(entity)
                .chain(parents.iter_ancestors(entity))
                .find(|e| speakers.contains(*e))
        });
        let Some(speaker) = speaker else {
            commands.entity(entity).insert(NotASpeakerMesh);
            continue;
        };
        let Some((handle, names)) = morph_names(entity, weights, &source, &children) else {
            // The mesh is still loading: try again next frame.
            continue;
        };
        let Ok((speaker_component, mut report)) = speakers.get_mut(speaker) else {
            continue;
        };
        let vrm = source
            .characters
            .get(speaker)
            .ok()
            .and_then(|c| source.vrms.get(&c.0))
            .zip(gltf_mesh_index(&source.server, &handle));
        let (binding, expression) = match (mouth_rig.and_then(|r| r.preset.as_ref()), vrm) {
            (None, Some((vrm, mesh))) => {
                let binding = vrm.expressions.rig(mesh).bind(&names);
                let mouth: Vec<usize> = binding.targets().collect();
                let expression =
                    ExpressionBinding::from_vrm(&vrm.expressions, mesh, |i| mouth.contains(&i));
                (binding, expression)
            }
            (preset, _) => {
                let binding = preset.unwrap_or(&speaker_component.rig).bind(&names);
                let mouth: Vec<usize> = binding.targets().collect();
                let expression = ExpressionBinding::bind(&names, |i| mouth.contains(&i));
                (binding, expression)
            }
        };
        let targets = binding.targets().count();
        report.meshes += 1;
        report.targets += targets;
        report.jaw_morph |= binding.opens_jaw();
        if targets == 0 {
            report.unmatched.extend(names.iter().cloned());
        }
        let count = weights.weights().len();
        commands.entity(entity).insert(BoundMorphs {
            speaker,
            binding,
            expression,
            mouth: vec![0.0; count],
            base: weights.weights().to_vec(),
            written: weights.weights().to_vec(),
        });
    }
}

/// The mesh `weights` drives and its morph target names, once it is loaded: the mesh's own
/// names, else those glTF keeps on the primitive (`extras.targetNames`, which Bevy's loader
/// does not read; VRM exporters write them there), else one empty name per target.
fn morph_names<'a>(
    entity: Entity,
    weights: &MorphWeights,
    source: &'a GltfSource,
    children: &Query<&Children>,
) -> Option<(Handle<Mesh>, Cow<'a, [String]>)> {
    let (meshes, mesh3d, extras) = (&source.meshes, &source.mesh3d, &source.extras);
    let primitives = || {
        std::iter::once(entity)
            .chain(children.iter_descendants(entity))
            .filter(|e| mesh3d.contains(*e))
    };
    let handle = weights
        .first_mesh()
        .cloned()
        .or_else(|| primitives().find_map(|e| mesh3d.get(e).ok().map(|m| m.0.clone())))?;
    let mesh = meshes.get(&handle)?;
    if let Some(names) = mesh.morph_target_names() {
        return Some((handle, Cow::Borrowed(names)));
    }
    let count = weights.weights().len();
    let from_extras = primitives().find_map(|e| {
        let extras = extras.get(e).ok()?;
        let names: TargetNames = serde_json::from_str(&extras.value).ok()?;
        (names.target_names.len() == count).then_some(names.target_names)
    });
    let names = from_extras.unwrap_or_else(|| vec![String::new(); count]);
    Some((handle, Cow::Owned(names)))
}

/// The `extras` glTF exporters put target names in.
#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TargetNames {
    target_names: Vec<String>,
}

/// Seconds of a line heard with no bound target before the warning: a glTF scene spawned with
/// the speaker usually binds well before that, and a rig that never binds is still reported
/// within the first line.
const UNRIGGED_GRACE_SECONDS: f64 = 1.0;

/// Warns once per speaker that has been heard for [`UNRIGGED_GRACE_SECONDS`] while none of its
/// meshes has a target its preset drives.
pub(crate) fn warn_unrigged(
    mut speakers: Query<(Entity, &Speaker, &mut RigReport, &super::SpeechQueue)>,
) {
    for (entity, speaker, mut report, queue) in &mut speakers {
        if report.warned || report.targets > 0 {
            continue;
        }
        let heard = queue.progress().map_or(0.0, |p| p.heard_seconds);
        if heard < UNRIGGED_GRACE_SECONDS {
            continue;
        }
        report.warned = true;
        let nameless = report.unmatched.iter().filter(|n| n.is_empty()).count();
        let found = if report.unmatched.is_empty() {
            "no mesh with morph targets under it".to_owned()
        } else if nameless == report.unmatched.len() {
            format!(
                "{nameless} morph targets without names (the file names none), so no preset \
                 can find its shapes; for a VRM file use `VrmCharacter`, else a `MouthRig` whose \
                 `RigTable` addresses targets by index (\"#0\", \"#1\", ...)"
            )
        } else {
            format!("morph targets {:?}", report.unmatched)
        };
        warn!(
            "bevy_lipsync: speaker {entity} talks but its mouth cannot move: found {found}, none \
             of which the {:?} preset drives. Choose the matching `Speaker::rig`, or put a \
             `MouthRig` with a custom `RigTable` on the mesh entity",
            speaker.rig
        );
    }
}

/// Writes each bound mesh's share of its speaker's mouth and expression on top of what others
/// set.
pub(crate) fn write_morphs(
    speakers: Query<(&Mouth, Option<&Expression>)>,
    mut rigs: Query<(&mut BoundMorphs, &mut MorphWeights)>,
) {
    for (mut bound, mut weights) in &mut rigs {
        let Ok((mouth, expression)) = speakers.get(bound.speaker) else {
            continue;
        };
        let bound = &mut *bound;
        bound.binding.apply(&mouth.weights, &mut bound.mouth);
        if let Some(expression) = expression {
            bound
                .expression
                .apply(&expression.weights, &mut bound.mouth);
        }
        let current = weights.weights();
        let mut changed = false;
        for index in bound.binding.targets().chain(bound.expression.targets()) {
            let (Some(&now), Some(base), Some(written), Some(&add)) = (
                current.get(index),
                bound.base.get_mut(index),
                bound.written.get_mut(index),
                bound.mouth.get(index),
            ) else {
                continue;
            };
            if now != *written {
                *base = now;
            }
            let value = (*base + add).clamp(0.0, 1.0);
            *written = value;
            changed |= value != now;
        }
        if changed {
            let out = weights.weights_mut();
            for index in bound.binding.targets().chain(bound.expression.targets()) {
                if let (Some(slot), Some(&value)) = (out.get_mut(index), bound.written.get(index)) {
                    *slot = value;
                }
            }
        }
    }
}
