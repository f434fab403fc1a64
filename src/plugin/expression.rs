//! The face around the mouth: blinks and emotions, written with the mouth onto the same rig.

use std::time::Duration;

use bevy::prelude::*;

use crate::lipsync::{Blinker, Emotion, ExpressionWeights};

use super::speaker::Mouth;

/// Blinks and emotions: every [`Speaker`](super::Speaker) gets an [`Expression`], eased and
/// blinked each frame after its mouth, and written with it by the rig.
pub struct ExpressionPlugin;

impl Plugin for ExpressionPlugin {
    fn build(&self, app: &mut App) {
        super::require_on_speakers::<Expression>(app);
        app.register_type::<Expression>().add_systems(
            PostUpdate,
            (seed_blinks, update_expressions)
                .chain()
                .in_set(super::Step::Face),
        );
    }
}

/// A speaker's expression: it blinks at a natural pace and shows an [`Emotion`], both added
/// onto its rig's eye, brow, cheek and lip-corner targets (ARKit names such as `eyeBlinkLeft`,
/// `mouthSmileRight`, `browInnerUp`, in any side spelling, or VRM's `blink`, `happy`, ...).
/// Every [`Speaker`](super::Speaker) has one. Smiles and frowns give way while the lips close
/// for p, b, m, f and v, so speech stays readable.
///
/// ```
/// # use bevy::prelude::*;
/// # use bevy_lipsync::prelude::*;
/// fn cheer_up(mut faces: Query<&mut Expression>) {
///     for mut face in &mut faces {
///         face.emotion = Emotion::Happy;
///     }
/// }
/// ```
#[derive(Component, Clone, Debug, Reflect)]
#[reflect(Component, Default, Debug)]
pub struct Expression {
    /// What the face shows; eases in and out over [`EMOTION_EASE`].
    pub emotion: Emotion,
    /// How strongly, `0..=1`.
    pub intensity: f32,
    /// Whether it blinks (15-20 times a minute, 100-150 ms each).
    pub blinks: bool,
    /// The weights shown this frame (blink, smile, ...), for your own use.
    pub weights: ExpressionWeights,
    /// The emotion as eased so far, before the lips take their share.
    #[reflect(ignore)]
    eased: ExpressionWeights,
    #[reflect(ignore)]
    blinker: Blinker,
}

/// The time constant with which a face eases into a new emotion.
pub const EMOTION_EASE: Duration = Duration::from_millis(150);

impl Default for Expression {
    fn default() -> Self {
        Expression {
            emotion: Emotion::Neutral,
            intensity: 1.0,
            blinks: true,
            weights: ExpressionWeights::default(),
            eased: ExpressionWeights::default(),
            blinker: Blinker::new(0),
        }
    }
}

impl Expression {
    /// A face showing `emotion` at full intensity, blinking.
    pub fn new(emotion: Emotion) -> Self {
        Expression {
            emotion,
            ..Default::default()
        }
    }

    /// The same face, blinking or not.
    pub fn with_blinks(mut self, blinks: bool) -> Self {
        self.blinks = blinks;
        self
    }

    /// The same face at `intensity` (`0..=1`).
    pub fn with_intensity(mut self, intensity: f32) -> Self {
        self.intensity = intensity;
        self
    }
}

/// Gives each new expression its own blink pace (seeded by its entity).
pub(crate) fn seed_blinks(mut added: Query<(Entity, &mut Expression), Added<Expression>>) {
    for (entity, mut expression) in &mut added {
        expression.blinker =
            Blinker::new(entity.to_bits() as u32 ^ (entity.to_bits() >> 32) as u32);
    }
}

/// Blinks, eases toward the emotion, and lets the lips close through a smile. Allocation-free.
pub(crate) fn update_expressions(
    time: Res<Time<Real>>,
    mut faces: Query<(&mut Expression, &Mouth)>,
) {
    let dt = time.delta_secs();
    let keep = (-dt / EMOTION_EASE.as_secs_f32()).exp();
    for (mut expression, mouth) in &mut faces {
        let expression = &mut *expression;
        let blink = if expression.blinks {
            expression.blinker.advance(dt)
        } else {
            0.0
        };
        let target = expression.emotion.pose().scaled(expression.intensity);
        // Eased before the lips take their share, so a smile is back as soon as they open.
        let mut eased = expression.eased.eased_toward(&target, keep);
        eased.blink = blink;
        expression.eased = eased;
        expression.weights = eased.yielding_to(&mouth.weights);
    }
}
