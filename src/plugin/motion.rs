//! Head and jaw motion: a speaker's head sways (idle, listening, speaking; see
//! [`HeadSway`](crate::lipsync::HeadSway)), and a jaw bone opens with the mouth on rigs that
//! have one but no `jawOpen` morph target.
//!
//! The head that moves is the speaker's [`HeadBone`] (found by name under the speaker: `Head`,
//! `mixamorig:Head`, `J_Bip_C_Head`, `head_Armature`, ...; or put there by the game), else the
//! speaker entity itself. Both are written as layers: the rotation something else (an
//! animation, the game) last set stays the base, and the motion is applied on top of it.

use bevy::prelude::*;

use crate::lipsync::{HeadPose, HeadState, HeadSway};

use super::speaker::{Mouth, Speaker, SpeechQueue};

/// Head motion and jaw bones: every [`Speaker`](super::Speaker) gets a [`HeadMotion`], its
/// head and jaw bones are found once its scene spawns, and they move after the mouth each
/// frame.
pub struct HeadMotionPlugin;

impl Plugin for HeadMotionPlugin {
    fn build(&self, app: &mut App) {
        super::require_on_speakers::<HeadMotion>(app);
        super::require_on_speakers::<HeadRig>(app);
        super::require_on_speakers::<super::RigReport>(app);
        app.register_type::<HeadMotion>()
            .register_type::<HeadBone>()
            .register_type::<JawBone>()
            .add_systems(
                PostUpdate,
                (
                    (seed_heads, face_vrm_heads, sway_heads)
                        .chain()
                        .in_set(super::Step::Head),
                    (find_bones, attach_bones)
                        .chain()
                        .in_set(super::Step::Bones),
                    write_bones.in_set(super::LipsyncSystems::Write),
                ),
            );
    }
}

/// How a speaker's head moves. Every [`Speaker`] has one.
///
/// ```
/// # use bevy::prelude::*;
/// # use bevy_lipsync::prelude::*;
/// // A guard who stands still, and a bard who is always performing.
/// fn direct(mut heads: Query<(&Name, &mut HeadMotion)>) {
///     for (name, mut head) in &mut heads {
///         match name.as_str() {
///             "guard" => head.amount = 0.0,
///             "bard" => head.state = Some(HeadState::Speaking),
///             _ => {}
///         }
///     }
/// }
/// ```
#[derive(Component, Clone, Debug, Reflect)]
#[reflect(Component, Default, Debug)]
pub struct HeadMotion {
    /// Stillness control: `1.0` the natural amount, `0.0` perfectly still, anything between
    /// scales the motion.
    pub amount: f32,
    /// A state the game imposes; `None` follows the talk: speaking while the speaker's line is
    /// playing, listening while another speaker's is, idle otherwise.
    pub state: Option<HeadState>,
    /// The state this frame.
    pub current: HeadState,
    /// The rotation applied this frame, on top of the head's own.
    pub pose: HeadPose,
    /// The head faces -z in its own space (VRM 0.x characters, which the plugin marks so): a
    /// nod and a tilt turn the other way about its axes to look the same.
    pub faces_back: bool,
    sway: HeadSway,
}

impl Default for HeadMotion {
    fn default() -> Self {
        HeadMotion {
            amount: 1.0,
            state: None,
            current: HeadState::Idle,
            pose: HeadPose::default(),
            faces_back: false,
            sway: HeadSway::new(0),
        }
    }
}

/// The bone that turns a speaker's head. Found by name under each speaker; add it to an entity
/// yourself to choose another (with `speaker` set if it is not under the speaker).
#[derive(Component, Clone, Copy, Debug, Default, Reflect)]
#[reflect(Component, Default, Debug)]
pub struct HeadBone {
    /// The speaker whose head this is; `None`: the nearest ancestor with a [`Speaker`].
    pub speaker: Option<Entity>,
}

/// A jaw bone that opens with a speaker's mouth, used when the speaker's meshes have no
/// `jawOpen` morph target. Found by name (`Jaw`, `mixamorig:Jaw`, `J_Bip_C_Jaw`, ...) under each
/// speaker, with the default axis and angle; rigs differ in their bones' axes, so set `axis`
/// and `max_angle` to match yours.
#[derive(Component, Clone, Copy, Debug, Reflect)]
#[reflect(Component, Default, Debug)]
pub struct JawBone {
    /// The speaker whose jaw this is; `None`: the nearest ancestor with a [`Speaker`].
    pub speaker: Option<Entity>,
    /// The axis the jaw opens about, in the bone's own space (Bevy's local `Transform`).
    pub axis: Vec3,
    /// The opening at a fully open jaw, in radians (negative to turn the other way).
    pub max_angle: f32,
}

impl Default for JawBone {
    fn default() -> Self {
        JawBone {
            speaker: None,
            axis: Vec3::X,
            max_angle: 0.3,
        }
    }
}

/// A rotation written on top of what others set: `written` is what this layer last wrote; a
/// rotation that differs was set by someone else and becomes the base.
#[derive(Clone, Copy, Debug, Default)]
struct Layer {
    entity: Option<Entity>,
    base: Quat,
    written: Option<Quat>,
}

impl Layer {
    fn attach(&mut self, entity: Entity) {
        if self.entity != Some(entity) {
            *self = Layer {
                entity: Some(entity),
                ..default()
            };
        }
    }

    /// `base * delta` onto `transform`, adopting a rotation someone else set as the new base.
    fn write(&mut self, transform: &mut Transform, delta: Quat) {
        if self.written != Some(transform.rotation) {
            self.base = transform.rotation;
        }
        let rotation = self.base * delta;
        if transform.rotation != rotation {
            transform.rotation = rotation;
        }
        self.written = Some(rotation);
    }
}

/// A speaker's bones and what the motion last wrote on them.
#[derive(Component, Debug, Default)]
pub(crate) struct HeadRig {
    head: Layer,
    jaw: Layer,
    /// The speaker's own transform, when it has no head bone.
    own: Layer,
    jaw_bone: JawBone,
}

/// `name` stripped of rig prefixes and suffixes (`mixamorig:`, `J_Bip_C_`, `DEF-`,
/// `_Armature`), lower-cased: `"head"` and `"jaw"` are the bones sought.
fn bone_stem(name: &str) -> String {
    let name = name
        .rsplit([':', '|'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    let name = ["j_bip_c_", "def-", "def_", "org-", "bip01 ", "bip001 "]
        .iter()
        .fold(name.as_str(), |n, prefix| {
            n.strip_prefix(prefix).unwrap_or(n)
        });
    let name = ["_armature", ".x", "_jnt", "_bone"]
        .iter()
        .fold(name, |n, suffix| n.strip_suffix(suffix).unwrap_or(n));
    name.to_owned()
}

/// Named entities not yet marked as bones.
type NewNames = (Added<Name>, Without<HeadBone>, Without<JawBone>);

/// Marks newly named entities under a speaker whose names are a head or a jaw bone.
pub(crate) fn find_bones(
    mut commands: Commands,
    named: Query<(Entity, &Name), NewNames>,
    parents: Query<&ChildOf>,
    speakers: Query<(), With<Speaker>>,
) {
    for (entity, name) in &named {
        let stem = bone_stem(name.as_str());
        if stem != "head" && stem != "jaw" {
            continue;
        }
        let under_speaker = std::iter::once(entity)
            .chain(parents.iter_ancestors(entity))
            .any(|e| speakers.contains(e));
        if !under_speaker {
            continue;
        }
        if stem == "head" {
            commands.entity(entity).insert(HeadBone::default());
        } else {
            commands.entity(entity).insert(JawBone::default());
        }
    }
}

/// Attaches each new head or jaw bone to its speaker.
pub(crate) fn attach_bones(
    heads: Query<(Entity, &HeadBone), Added<HeadBone>>,
    jaws: Query<(Entity, &JawBone), Added<JawBone>>,
    parents: Query<&ChildOf>,
    mut rigs: Query<&mut HeadRig>,
) {
    let speaker_of = |entity: Entity, explicit: Option<Entity>| {
        explicit.or_else(|| {
            std::iter::once(entity)
                .chain(parents.iter_ancestors(entity))
                .find(|e| rigs.contains(*e))
        })
    };
    let heads: Vec<(Entity, Option<Entity>)> = heads
        .iter()
        .map(|(e, bone)| (e, speaker_of(e, bone.speaker)))
        .collect();
    let jaws: Vec<(Entity, JawBone, Option<Entity>)> = jaws
        .iter()
        .map(|(e, bone)| (e, *bone, speaker_of(e, bone.speaker)))
        .collect();
    for (bone, speaker) in heads {
        if let Some(mut rig) = speaker.and_then(|s| rigs.get_mut(s).ok()) {
            rig.head.attach(bone);
        }
    }
    for (bone, settings, speaker) in jaws {
        if let Some(mut rig) = speaker.and_then(|s| rigs.get_mut(s).ok()) {
            rig.jaw.attach(bone);
            rig.jaw_bone = settings;
        }
    }
}

/// Marks the heads of VRM 0.x characters as facing -z, once their file has loaded.
pub(crate) fn face_vrm_heads(
    mut commands: Commands,
    mut heads: Query<(Entity, &super::VrmCharacter, &mut HeadMotion), Without<FacingKnown>>,
    vrms: Option<Res<Assets<super::Vrm>>>,
) {
    // No VRM support in the app: no VRM characters to face.
    let Some(vrms) = vrms else {
        return;
    };
    for (entity, character, mut head) in &mut heads {
        let Some(vrm) = vrms.get(&character.0) else {
            continue;
        };
        head.faces_back = vrm.expressions.version == crate::lipsync::VrmVersion::V0;
        commands.entity(entity).insert(FacingKnown);
    }
}

/// A VRM character whose facing has been read from its file.
#[derive(Component, Debug)]
pub(crate) struct FacingKnown;

/// Seeds each new speaker's sway from its entity, so no two heads move together.
pub(crate) fn seed_heads(mut added: Query<(Entity, &mut HeadMotion), Added<HeadMotion>>) {
    for (entity, mut head) in &mut added {
        head.sway = HeadSway::new(entity.to_bits() as u32 ^ 0x5bd1_e995);
    }
}

/// Advances every head's sway: speaking while its line plays, listening while another's does.
/// Allocation-free.
pub(crate) fn sway_heads(
    time: Res<Time<Real>>,
    mut heads: Query<(&mut HeadMotion, &Mouth, &SpeechQueue)>,
) {
    let dt = time.delta_secs();
    let talking = heads.iter().filter(|(_, _, q)| q.is_speaking()).count();
    for (mut head, mouth, queue) in &mut heads {
        let speaking = queue.is_speaking();
        let state = head.state.unwrap_or(if speaking {
            HeadState::Speaking
        } else if talking > 0 {
            HeadState::Listening
        } else {
            HeadState::Idle
        });
        let amount = head.amount;
        let pose = head.sway.advance(dt, state, mouth.weights.jaw_open, amount);
        head.current = state;
        head.pose = pose;
    }
}

/// Writes each head's pose on its head bone (or the speaker), and the jaw on a jaw bone when
/// no `jawOpen` morph target carries it. The jaw bone's `GlobalTransform` is updated at once,
/// so the jaw is drawn this frame like the morph targets.
pub(crate) fn write_bones(
    mut speakers: Query<(Entity, &HeadMotion, &Mouth, &mut HeadRig, &super::RigReport)>,
    mut transforms: Query<&mut Transform>,
    mut globals: Query<&mut GlobalTransform>,
    parents: Query<&ChildOf>,
) {
    for (speaker, head, mouth, mut rig, report) in &mut speakers {
        let rig = &mut *rig;
        let pose = head.pose;
        // Facing +z, a positive turn about x looks down: pitch up is a negative one.
        let facing = if head.faces_back { -1.0 } else { 1.0 };
        let delta = Quat::from_euler(
            EulerRot::YXZ,
            pose.yaw,
            -pose.pitch * facing,
            pose.roll * facing,
        );
        let (layer, target) = match rig.head.entity {
            Some(bone) if transforms.contains(bone) => (&mut rig.head, bone),
            _ => {
                rig.own.attach(speaker);
                (&mut rig.own, speaker)
            }
        };
        if let Ok(mut transform) = transforms.get_mut(target) {
            layer.write(&mut transform, delta);
        }
        let Some(jaw) = rig.jaw.entity.filter(|_| !report.jaw_morph) else {
            continue;
        };
        let axis = rig.jaw_bone.axis.try_normalize().unwrap_or(Vec3::X);
        let open = Quat::from_axis_angle(axis, rig.jaw_bone.max_angle * mouth.weights.jaw_open);
        let Ok(mut transform) = transforms.get_mut(jaw) else {
            continue;
        };
        rig.jaw.write(&mut transform, open);
        let local = *transform;
        let parent = parents
            .get(jaw)
            .ok()
            .and_then(|p| globals.get(p.parent()).ok().copied());
        if let Ok(mut global) = globals.get_mut(jaw) {
            *global = parent.map_or(GlobalTransform::from(local), |p| p.mul_transform(local));
        }
    }
}
