//! A stand-in face for headless examples and tests: a mesh whose morph targets are the 15
//! Ready Player Me visemes (`viseme_sil` .. `viseme_U`), the names the default rig preset binds.
#![allow(dead_code)]

use bevy::asset::RenderAssetUsages;
use bevy::mesh::morph::MorphWeights;
use bevy::mesh::{Mesh, Mesh3d, PrimitiveTopology};
use bevy::prelude::*;
use bevy_lipsync::lipsync::Viseme;

/// Adds a mesh with no vertices whose morph targets are the 15 visemes.
pub fn viseme_mesh(world: &mut World) -> Handle<Mesh> {
    let mut mesh = Mesh::new(
        PrimitiveTopology::TriangleList,
        RenderAssetUsages::default(),
    );
    mesh.set_morph_target_names(
        Viseme::ALL
            .iter()
            .map(|v| v.rpm_name().to_owned())
            .collect(),
    );
    world.resource_mut::<Assets<Mesh>>().add(mesh)
}

/// Spawns a face with that mesh and its weights as a child of `speaker`.
pub fn spawn_face(world: &mut World, speaker: Entity) -> Entity {
    let handle = viseme_mesh(world);
    let weights = MorphWeights::new(vec![0.0; Viseme::COUNT], Some(handle.clone()))
        .expect("15 targets is within Bevy's limit");
    world
        .spawn((Mesh3d(handle), weights, ChildOf(speaker)))
        .id()
}
