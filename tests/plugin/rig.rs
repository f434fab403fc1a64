//! Binding and writing faces: animation underneath, late scenes, rigs without targets, nameless targets, sprite mouths and VRM characters.

use super::*;
use bevy::app::AnimationSystems;

#[test]
fn the_mouth_adds_to_animation_without_accumulating() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, face) = h.spawn_speaker("Dennis");
    let aa = Viseme::Aa.index();
    // An "animation" that sets the AA target to 0.25 every frame before the plugin writes.
    h.app.add_systems(
        PostUpdate,
        (move |mut q: Query<&mut MorphWeights>| {
            if let Ok(mut w) = q.get_mut(face) {
                w.weights_mut()[aa] = 0.25;
            }
        })
        .before(AnimationSystems),
    );
    for _ in 0..5 {
        h.frame(Duration::from_millis(10));
    }
    assert_eq!(
        h.morphs(face)[aa],
        0.25,
        "at rest the animation shows as it is"
    );
    // The mouth opens on AA: the target shows the animation plus the mouth, capped at 1.
    h.app
        .world_mut()
        .get_mut::<Mouth>(speaker)
        .expect("mouth")
        .weights
        .weights[aa] = 0.5;
    h.frame(Duration::from_millis(10));
    let shown = h.morphs(face)[aa];
    assert!(
        shown > 0.25 && shown < 0.75,
        "animation plus a relaxing mouth: {shown}"
    );
    for _ in 0..100 {
        h.frame(Duration::from_millis(10));
    }
    assert_eq!(
        h.morphs(face)[aa],
        0.25,
        "back to the animation alone, nothing accumulated"
    );

    // Without animation the target returns to exactly zero.
    let (other, other_face) = h.spawn_speaker("Dennis");
    h.frame(Duration::from_millis(10));
    h.app
        .world_mut()
        .get_mut::<Mouth>(other)
        .expect("mouth")
        .weights
        .weights[aa] = 1.0;
    for _ in 0..100 {
        h.frame(Duration::from_millis(10));
    }
    assert_eq!(h.morphs(other_face)[aa], 0.0);
}

#[test]
fn a_scene_spawned_later_binds_and_a_rig_without_targets_is_reported() {
    use bevy::mesh::morph::MeshMorphWeights;
    use bevy_lipsync::plugin::RigReport;

    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    // A rig whose names the default (OpenXR / Ready Player Me) preset does not drive.
    let odd = {
        let world = h.app.world_mut();
        let mut mesh = Mesh::new(
            PrimitiveTopology::TriangleList,
            RenderAssetUsages::default(),
        );
        mesh.set_morph_target_names(vec!["eyeBlinkLeft".into(), "browInnerUp".into()]);
        let handle = world.resource_mut::<Assets<Mesh>>().add(mesh);
        let weights = MorphWeights::new(vec![0.0; 2], Some(handle.clone())).expect("2 targets");
        let speaker = world.spawn(Speaker::new("Dennis")).id();
        world.spawn((Mesh3d(handle), weights, ChildOf(speaker)));
        speaker
    };
    // A speaker whose face arrives later, glTF style: `MorphWeights` on a node, the mesh on a
    // child primitive that references it.
    let late = h.app.world_mut().spawn(Speaker::new("Ashley")).id();
    h.app
        .world_mut()
        .commands()
        .entity(odd)
        .say("Can you see my lips?");
    h.app.world_mut().commands().entity(late).say(LINE);
    h.frame(Duration::ZERO);
    for _ in 0..5 {
        h.frame(Duration::from_millis(10));
    }
    let (node, primitive) = {
        let world = h.app.world_mut();
        let handle = face::viseme_mesh(world);
        let scene = world.spawn(ChildOf(late)).id();
        let node = world
            .spawn((
                MorphWeights::new(vec![0.0; Viseme::COUNT], None).expect("15"),
                ChildOf(scene),
            ))
            .id();
        let primitive = world
            .spawn((
                Mesh3d(handle),
                MeshMorphWeights::Reference(node),
                ChildOf(node),
            ))
            .id();
        (node, primitive)
    };
    let _ = primitive;
    h.wait_delivered(late);
    let mut moved = 0.0f32;
    let start = h.now;
    while h.queue(late).is_speaking() {
        assert!(
            h.now - start < Duration::from_secs(10),
            "the line did not finish"
        );
        h.frame(Duration::from_millis(10));
        moved = moved.max(h.morphs(node).iter().copied().fold(0.0, f32::max));
    }
    assert!(moved > 0.5, "the late face's mouth moved: {moved}");
    let late_report = h.app.world().get::<RigReport>(late).expect("a report");
    assert_eq!(
        (late_report.meshes, late_report.targets),
        (1, Viseme::COUNT)
    );
    assert!(!late_report.warned());

    let report = h.app.world().get::<RigReport>(odd).expect("a report");
    assert_eq!((report.meshes, report.targets), (1, 0));
    assert!(
        report.warned(),
        "a talking speaker with no usable target is warned about"
    );
    assert_eq!(report.unmatched(), ["eyeBlinkLeft", "browInnerUp"]);
}

#[test]
fn a_sprite_mouth_shows_the_drawing_of_its_speakers_mouth_every_frame() {
    use bevy::image::TextureAtlas;
    use bevy_lipsync::lipsync::MouthShape;

    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let (speaker, _face) = h.spawn_speaker("Dennis");
    // A sheet laid out in another order: the drawings at 10, 11, ... 18.
    let cells = std::array::from_fn(|i| 10 + i);
    let sprite = h
        .app
        .world_mut()
        .spawn((
            Sprite {
                texture_atlas: Some(TextureAtlas::default()),
                ..Default::default()
            },
            SpriteMouth::with_cells(cells),
            ChildOf(speaker),
        ))
        .id();
    h.app.world_mut().commands().entity(speaker).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let mut shown = std::collections::BTreeSet::new();
    while h.queue(speaker).is_speaking() {
        h.frame(Duration::from_millis(10));
        let mouth = h.mouth(speaker);
        let world = h.app.world();
        let index = world
            .get::<Sprite>(sprite)
            .and_then(|s| s.texture_atlas.as_ref())
            .map(|a| a.index);
        let expected = MouthShape::from_weights(&mouth.weights);
        assert_eq!(index, Some(10 + expected.index()), "{:?}", mouth.viseme);
        assert_eq!(
            world.get::<SpriteMouth>(sprite).map(|m| m.shape),
            Some(expected)
        );
        shown.insert(expected);
    }
    assert!(
        shown.len() >= 4 && shown.contains(&MouthShape::A),
        "the line shows its drawings, lips closing on its p b m: {shown:?}"
    );
    for _ in 0..60 {
        h.frame(Duration::from_millis(10));
    }
    let rest = h
        .app
        .world()
        .get::<Sprite>(sprite)
        .and_then(|s| s.texture_atlas.clone());
    assert_eq!(rest.map(|a| a.index), Some(10 + MouthShape::X.index()));
}

#[test]
fn a_vrm_character_loads_spawns_and_talks_through_its_files_expression_table() {
    use bevy::gltf::GltfPlugin;
    use bevy::image::ImagePlugin;
    use bevy::world_serialization::WorldSerializationPlugin;
    use bevy_lipsync::plugin::RigReport;

    let emulator = emulator();
    let mut h = Harness::with_app(
        &emulator,
        KEY,
        |_| {},
        |app| {
            app.add_plugins((
                TransformPlugin,
                ImagePlugin::default(),
                WorldSerializationPlugin,
                GltfPlugin::default(),
            ))
            .init_asset::<bevy::mesh::skinning::SkinnedMeshInverseBindposes>();
        },
    );
    // Bevy's glTF loader registers itself as the app finishes building.
    h.app.finish();
    h.app.cleanup();
    let godette = h
        .app
        .world()
        .resource::<AssetServer>()
        .load("vrm/Godette_vrm_v4.vrm");
    let speaker = h
        .app
        .world_mut()
        .spawn((Speaker::new("Ashley"), VrmCharacter(godette)))
        .id();
    // Loading runs on other threads: wait for the face to bind, in wall-clock time.
    let started = Instant::now();
    let face = loop {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "Godette never bound"
        );
        std::thread::sleep(Duration::from_millis(5));
        h.frame(Duration::from_millis(5));
        let world = h.app.world_mut();
        let report = world.get::<RigReport>(speaker).map_or(0, |r| r.targets);
        let mut faces = world.query::<(Entity, &MorphWeights)>();
        let face = faces
            .iter(world)
            .find(|(_, w)| w.weights().len() == 15)
            .map(|(e, _)| e);
        if let (true, Some(face)) = (report > 0, face) {
            break face;
        }
    };
    // Her five vowels, by index: `ah ih uu ee oh` are targets 5 to 9.
    let report = h.app.world().get::<RigReport>(speaker).expect("a report");
    let head = h.app.world().get::<HeadMotion>(speaker).expect("a head");
    assert!(head.faces_back, "VRM 0.x characters face -z");
    assert_eq!((report.meshes, report.targets), (1, 5));
    h.app
        .world_mut()
        .commands()
        .entity(speaker)
        .say("Bob sat on a big red mat and ate a fig.");
    h.frame(Duration::ZERO);
    h.wait_delivered(speaker);
    let mut peak = [0.0f32; 15];
    let start = h.now;
    while h.queue(speaker).is_speaking() {
        assert!(
            h.now - start < Duration::from_secs(10),
            "the line did not finish"
        );
        h.frame(Duration::from_millis(10));
        for (p, w) in peak.iter_mut().zip(h.morphs(face)) {
            *p = p.max(w);
        }
    }
    assert!(peak[5] > 0.5, "her `ah` opened for the a's: {peak:?}");
    assert!(peak[6] > 0.2, "her `ih` for the i's: {peak:?}");
    assert!(
        peak[0..3].iter().all(|&w| w == 0.0),
        "the hair, earring and blush toggles are not expressions: {peak:?}"
    );
    assert!(
        h.seen()
            .iter()
            .any(|s| matches!(s, Seen::Word(e, w) if *e == speaker && &**w == "fig.")),
        "her words were heard"
    );
}

#[test]
fn meshes_whose_targets_have_no_names_are_reported_and_bind_by_index() {
    use bevy_lipsync::plugin::RigReport;

    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let spawn_nameless = |world: &mut World, rig: RigPreset| {
        let mesh = Mesh::new(
            PrimitiveTopology::TriangleList,
            RenderAssetUsages::default(),
        );
        let handle = world.resource_mut::<Assets<Mesh>>().add(mesh);
        let weights = MorphWeights::new(vec![0.0; 2], Some(handle.clone())).expect("2 targets");
        let speaker = world.spawn(Speaker::new("Dennis").with_rig(rig)).id();
        let face = world
            .spawn((Mesh3d(handle), weights, ChildOf(speaker)))
            .id();
        (speaker, face)
    };
    let (blind, _) = spawn_nameless(h.app.world_mut(), RigPreset::OpenXr);
    let by_index =
        RigTable::from_json(r##"{"targets": {"#1": {"AA": 1.0, "jaw": 0.5}}}"##).expect("a table");
    let (indexed, face) = spawn_nameless(h.app.world_mut(), RigPreset::Custom(by_index));
    h.frame(Duration::from_millis(10));
    let report = h.app.world().get::<RigReport>(blind).expect("a report");
    assert_eq!(
        (report.meshes, report.targets),
        (1, 0),
        "examined, not left loading"
    );
    assert_eq!(report.unmatched(), ["", ""], "two targets without names");
    h.app.world_mut().commands().entity(indexed).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(indexed);
    let mut peak = [0.0f32; 2];
    while h.queue(indexed).is_speaking() {
        h.frame(Duration::from_millis(10));
        for (p, w) in peak.iter_mut().zip(h.morphs(face)) {
            *p = p.max(w);
        }
    }
    assert_eq!(peak[0], 0.0);
    assert!(peak[1] > 0.5, "target #1 opened: {peak:?}");
}
