//! VRM characters: a `.vrm` file loaded as a [`Vrm`] asset (its expression table, and the file
//! as a glTF), spawned under a [`Speaker`](super::Speaker) by [`VrmCharacter`], whose meshes
//! then bind through the file's own table rather than by target names.

use bevy::asset::io::Reader;
use bevy::asset::{AssetLoader, LoadContext};
use bevy::gltf::Gltf;
use bevy::prelude::*;
use bevy::world_serialization::WorldAssetRoot;

use crate::lipsync::{VrmError, VrmExpressions};

/// VRM characters: `.vrm` files load as [`Vrm`] assets, and a [`VrmCharacter`] spawns its scene
/// under its speaker (head motion faces the way its version faces).
pub struct VrmPlugin;

impl Plugin for VrmPlugin {
    fn build(&self, app: &mut App) {
        if !app.world().contains_resource::<Assets<Vrm>>() {
            app.init_asset::<Vrm>();
        }
        app.register_type::<VrmCharacter>()
            .init_asset_loader::<VrmLoader>()
            .add_systems(PostUpdate, spawn_vrm_scenes.in_set(super::Step::Scenes));
    }
}

/// A VRM character file (`.vrm`, VRM 0.x or 1.0): its expression table, and the same file
/// loaded as a glTF for its scene.
///
/// Bevy's glTF loader does not take the `.vrm` extension, so a labelled path like
/// `"Godette.vrm#Scene0"` finds no loader; load the file as a `Vrm` and let
/// [`VrmCharacter`] spawn it.
#[derive(Asset, TypePath, Debug)]
pub struct Vrm {
    /// The file's expression table.
    pub expressions: VrmExpressions,
    /// The file as a glTF (scenes, meshes, nodes).
    pub gltf: Handle<Gltf>,
}

/// Why a `.vrm` file did not load.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum VrmLoadError {
    /// The file could not be read.
    #[error("cannot read the VRM file: {0}")]
    Io(#[from] std::io::Error),
    /// The file is not a VRM character, or its expression table is broken.
    #[error(transparent)]
    Vrm(#[from] VrmError),
}

/// Loads `.vrm` files as [`Vrm`] assets.
#[derive(Default, TypePath)]
pub(crate) struct VrmLoader;

impl AssetLoader for VrmLoader {
    type Asset = Vrm;
    type Settings = ();
    type Error = VrmLoadError;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        load_context: &mut LoadContext<'_>,
    ) -> Result<Vrm, VrmLoadError> {
        let mut bytes = Vec::new();
        reader.read_to_end(&mut bytes).await?;
        let expressions = VrmExpressions::parse(&bytes)?;
        // Without a label the asset server picks the loader by type: Bevy's glTF loader.
        let path = load_context.path().clone_owned();
        let gltf = load_context.load::<Gltf>(path);
        Ok(Vrm { expressions, gltf })
    }

    fn extensions(&self) -> &[&str] {
        &["vrm"]
    }
}

/// A VRM character for a [`Speaker`](super::Speaker): the plugin spawns the file's scene under
/// the entity once it has loaded, and binds its meshes through the file's expression table
/// (mouth `aa ih ou ee oh`, `blink`, `happy`, `sad`, `angry`, `surprised`), whatever its
/// morph targets are called and even when they have no names.
///
/// VRM files embed their textures, usually as JPEG or PNG: enable Bevy's `jpeg` and `png`
/// features, or the glTF will not load (the plugin logs why).
///
/// ```no_run
/// # use bevy::prelude::*;
/// # use bevy_lipsync::prelude::*;
/// fn spawn_godette(mut commands: Commands, assets: Res<AssetServer>) {
///     commands.spawn((
///         Speaker::new("Ashley"),
///         VrmCharacter(assets.load("vrm/Godette_vrm_v4.vrm")),
///         Transform::default(),
///     ));
/// }
/// ```
#[derive(Component, Clone, Debug, Reflect)]
#[reflect(Component, Debug)]
pub struct VrmCharacter(pub Handle<Vrm>);

/// The scene a [`VrmCharacter`] spawned, under it.
#[derive(Component, Debug)]
pub(crate) struct VrmSpawned;

/// Spawns each loaded [`VrmCharacter`]'s scene as a child (once); logs a file that failed.
pub(crate) fn spawn_vrm_scenes(
    mut commands: Commands,
    characters: Query<(Entity, &VrmCharacter), Without<VrmSpawned>>,
    vrms: Res<Assets<Vrm>>,
    // Absent without Bevy's glTF plugin: nothing can spawn then.
    gltfs: Option<Res<Assets<Gltf>>>,
    server: Res<AssetServer>,
) {
    for (entity, character) in &characters {
        if let Some(bevy::asset::LoadState::Failed(error)) = server.get_load_state(&character.0) {
            error!("bevy_lipsync: VRM character {entity}: {error}");
            commands.entity(entity).insert(VrmSpawned);
            continue;
        }
        let vrm = vrms.get(&character.0);
        if let Some(bevy::asset::LoadState::Failed(error)) =
            vrm.and_then(|vrm| server.get_load_state(&vrm.gltf))
        {
            error!(
                "bevy_lipsync: VRM character {entity}: its glTF did not load: {error} (VRM files \
                 embed JPEG or PNG textures: enable Bevy's `jpeg` and `png` features)"
            );
            commands.entity(entity).insert(VrmSpawned);
            continue;
        }
        let gltf = vrm.zip(gltfs.as_ref());
        let Some(gltf) = gltf.and_then(|(vrm, gltfs)| gltfs.get(&vrm.gltf)) else {
            continue;
        };
        let Some(scene) = gltf
            .default_scene
            .clone()
            .or_else(|| gltf.scenes.first().cloned())
        else {
            error!("bevy_lipsync: VRM character {entity}: the file has no scene");
            commands.entity(entity).insert(VrmSpawned);
            continue;
        };
        commands
            .entity(entity)
            .insert(VrmSpawned)
            .with_child(WorldAssetRoot(scene));
    }
}

/// The glTF mesh index of a mesh loaded from a glTF file (its label is `Mesh<i>/Primitive<j>`).
pub(crate) fn gltf_mesh_index(server: &AssetServer, mesh: &Handle<Mesh>) -> Option<usize> {
    let path = server.get_path(mesh.id())?;
    let label = path.label()?;
    label.strip_prefix("Mesh")?.split('/').next()?.parse().ok()
}
