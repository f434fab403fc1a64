//! Bones moved by the plugin: the head's sway and the jaw.

use super::*;

/// The angle between two rotations, in radians.
fn angle_between(a: Quat, b: Quat) -> f32 {
    a.angle_between(b)
}

#[test]
fn heads_sway_on_top_of_the_games_rotation_speak_listen_and_hold_still_on_request() {
    use bevy_lipsync::lipsync::HeadState;

    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let tilt = Quat::from_rotation_z(0.4);
    let (talker, head, listener) = {
        let world = h.app.world_mut();
        let talker = world
            .spawn((Speaker::new("Dennis"), Transform::default()))
            .id();
        let neck = world.spawn((Transform::default(), ChildOf(talker))).id();
        let head = world
            .spawn((
                Name::new("mixamorig:Head"),
                Transform::from_rotation(tilt),
                ChildOf(neck),
            ))
            .id();
        let listener = world
            .spawn((Speaker::new("Ashley"), Transform::default()))
            .id();
        (talker, head, listener)
    };
    let rotation = |h: &Harness, e: Entity| h.app.world().get::<Transform>(e).unwrap().rotation;
    let mut drift = 0.0f32;
    for _ in 0..300 {
        h.frame(Duration::from_millis(16));
        let off = angle_between(rotation(&h, head), tilt);
        assert!(off < 0.08, "a few degrees around the game's tilt: {off}");
        drift = drift.max(off);
    }
    assert!(drift > 0.004, "the idle head drifts: {drift}");
    assert_eq!(
        rotation(&h, talker),
        Quat::IDENTITY,
        "with a head bone, the speaker itself stays put"
    );
    assert!(
        angle_between(rotation(&h, listener), Quat::IDENTITY) > 0.0,
        "a speaker without a head bone sways itself"
    );
    // The game turns the head: the sway continues around the new rotation.
    let turned = Quat::from_rotation_y(-0.7);
    h.app
        .world_mut()
        .get_mut::<Transform>(head)
        .unwrap()
        .rotation = turned;
    h.app.world_mut().commands().entity(talker).say(LINE);
    h.frame(Duration::ZERO);
    h.wait_delivered(talker);
    let mut states = Vec::new();
    while h.queue(talker).is_speaking() {
        h.frame(Duration::from_millis(16));
        let off = angle_between(rotation(&h, head), turned);
        assert!(off < 0.12, "around the game's new rotation: {off}");
        let state = |e| h.app.world().get::<HeadMotion>(e).unwrap().current;
        states.push((state(talker), state(listener)));
    }
    assert!(states.contains(&(HeadState::Speaking, HeadState::Listening)));
    // Listening tilts the head to its side; a head facing -z (VRM 0.x) tilts the same way
    // on screen, so about its own axes the other way.
    let tilt_after = |h: &mut Harness, faces_back: bool| {
        {
            let mut motion = h.app.world_mut().get_mut::<HeadMotion>(talker).unwrap();
            motion.state = Some(HeadState::Listening);
            motion.faces_back = faces_back;
        }
        for _ in 0..150 {
            h.frame(Duration::from_millis(16));
        }
        let delta = turned.inverse() * rotation(h, head);
        delta.to_euler(EulerRot::YXZ).2
    };
    let (front, back) = (tilt_after(&mut h, false), tilt_after(&mut h, true));
    assert!(front > 0.03 && back < -0.03, "{front} {back}");
    // Stillness: exactly the game's rotation.
    h.app
        .world_mut()
        .get_mut::<HeadMotion>(talker)
        .unwrap()
        .amount = 0.0;
    h.frame(Duration::from_millis(16));
    assert_eq!(rotation(&h, head), turned);
}

#[test]
fn a_jaw_bone_opens_with_the_mouth_only_when_no_morph_target_does() {
    let emulator = emulator();
    let mut h = Harness::new(&emulator, KEY);
    let rest = Quat::from_rotation_x(0.1);
    let spawn_jawed = |world: &mut World, names: Option<Vec<String>>| {
        let speaker = world
            .spawn((Speaker::new("Dennis"), Transform::default()))
            .id();
        let jaw = world
            .spawn((
                Name::new("Jaw"),
                Transform::from_rotation(rest),
                GlobalTransform::default(),
                ChildOf(speaker),
            ))
            .id();
        if let Some(names) = names {
            let mut mesh = Mesh::new(
                PrimitiveTopology::TriangleList,
                RenderAssetUsages::default(),
            );
            let count = names.len();
            mesh.set_morph_target_names(names);
            let handle = world.resource_mut::<Assets<Mesh>>().add(mesh);
            let weights = MorphWeights::new(vec![0.0; count], Some(handle.clone())).unwrap();
            world.spawn((Mesh3d(handle), weights, ChildOf(speaker)));
        }
        (speaker, jaw)
    };
    let (boned, jaw) = spawn_jawed(h.app.world_mut(), None);
    let (morphed, morph_jaw) = spawn_jawed(
        h.app.world_mut(),
        Some(vec!["jawOpen".into(), "mouthFunnel".into()]),
    );
    h.app.world_mut().get_mut::<Speaker>(morphed).unwrap().rig = RigPreset::Arkit52;
    for speaker in [boned, morphed] {
        h.app.world_mut().commands().entity(speaker).say(LINE);
    }
    h.frame(Duration::ZERO);
    h.wait_delivered(boned);
    h.wait_delivered(morphed);
    let rotation = |h: &Harness, e: Entity| h.app.world().get::<Transform>(e).unwrap().rotation;
    let mut widest = 0.0f32;
    while h.queue(boned).is_speaking() || h.queue(morphed).is_speaking() {
        h.frame(Duration::from_millis(10));
        let open = angle_between(rotation(&h, jaw), rest);
        let expected = 0.3 * h.mouth(boned).weights.jaw_open;
        assert!((open - expected).abs() < 1e-3, "{open} vs {expected}");
        // Drawn this frame: the bone's global transform already holds the opening.
        let global = h.app.world().get::<GlobalTransform>(jaw).unwrap();
        assert!(global.rotation().dot(rotation(&h, jaw)).abs() > 1.0 - 1e-6);
        widest = widest.max(open);
        assert_eq!(rotation(&h, morph_jaw), rest, "jawOpen carries that jaw");
    }
    assert!(widest > 0.1, "the jaw opened on the vowels: {widest}");
    for _ in 0..30 {
        h.frame(Duration::from_millis(10));
    }
    assert!(
        angle_between(rotation(&h, jaw), rest) < 1e-3,
        "and closed after"
    );
}
