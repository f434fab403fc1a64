//! 2D mouths: a sprite sheet of the nine drawn mouths, switched as the speaker talks.

use bevy::prelude::*;

use crate::lipsync::MouthShape;

use super::speaker::{Mouth, Speaker};

/// 2D mouths: a [`SpriteMouth`] shows its speaker's mouth as a sprite sheet index.
pub struct SpriteMouthPlugin;

impl Plugin for SpriteMouthPlugin {
    fn build(&self, app: &mut App) {
        app.register_type::<SpriteMouth>().add_systems(
            PostUpdate,
            draw_sprite_mouths.in_set(super::LipsyncSystems::Write),
        );
    }
}

/// A 2D character's mouth: a [`Sprite`] whose texture atlas holds the nine drawings of
/// [`MouthShape`] (A-H and X), switched every frame to the drawing of its speaker's mouth.
/// Put it on the mouth's sprite, a child of the [`Speaker`] (or name the speaker).
///
/// ```
/// # use bevy::prelude::*;
/// # use bevy_lipsync::prelude::*;
/// fn spawn(mut commands: Commands, sheet: Handle<Image>, layout: Handle<TextureAtlasLayout>) {
///     commands
///         .spawn((Speaker::new("offline:female"), Transform::default()))
///         .with_child((
///             Sprite::from_atlas_image(sheet, TextureAtlas { layout, index: 0 }),
///             // A sheet of nine cells lettered A to H, then X (rest).
///             SpriteMouth::default(),
///         ));
/// }
/// ```
#[derive(Component, Debug, Clone, Copy, PartialEq, Reflect)]
#[reflect(Component, Debug, Default, PartialEq)]
pub struct SpriteMouth {
    /// The speaker whose mouth it shows; `None`: the nearest ancestor with a [`Speaker`].
    pub speaker: Option<Entity>,
    /// The atlas index of each drawing, in [`MouthShape::ALL`] order (A to H, then X). The
    /// default is a sheet in that order.
    pub cells: [usize; 9],
    /// The drawing shown now.
    pub shape: MouthShape,
}

impl Default for SpriteMouth {
    fn default() -> Self {
        SpriteMouth {
            speaker: None,
            cells: std::array::from_fn(|i| i),
            shape: MouthShape::X,
        }
    }
}

impl SpriteMouth {
    /// A mouth whose sheet has the drawings at `cells` (in [`MouthShape::ALL`] order).
    pub fn with_cells(cells: [usize; 9]) -> Self {
        SpriteMouth {
            cells,
            ..Default::default()
        }
    }

    /// The atlas index of `shape`.
    pub fn cell(&self, shape: MouthShape) -> usize {
        self.cells[shape.index()]
    }
}

/// Shows each sprite mouth's drawing of its speaker's mouth. Allocation-free.
pub(crate) fn draw_sprite_mouths(
    mut mouths: Query<(Entity, &mut SpriteMouth, &mut Sprite)>,
    speakers: Query<&Mouth, With<Speaker>>,
    parents: Query<&ChildOf>,
) {
    for (entity, mut sprite_mouth, mut sprite) in &mut mouths {
        let speaker = sprite_mouth.speaker.or_else(|| {
            parents
                .iter_ancestors(entity)
                .find(|&a| speakers.contains(a))
        });
        let Some(mouth) = speaker.and_then(|s| speakers.get(s).ok()) else {
            continue;
        };
        let shape = MouthShape::from_weights(&mouth.weights);
        let cell = sprite_mouth.cell(shape);
        if sprite_mouth.shape != shape {
            sprite_mouth.shape = shape;
        }
        if let Some(atlas) = sprite.texture_atlas.as_mut()
            && atlas.index != cell
        {
            atlas.index = cell;
        }
    }
}
