//! The shipped characters bind: every viseme reaches the morph targets of the real heads in
//! `assets/`, read from the files themselves, and a file whose targets have no names binds
//! nothing, saying which shapes are missing.

use std::path::Path;

use bevy_lipsync::lipsync::{
    ExpressionBinding, ExpressionWeights, RigBinding, RigPreset, Viseme, VisemeWeights, VrmError,
    VrmExpressions, VrmVersion,
};
use serde_json::Value;

/// The glTF JSON of a `.glb` (its first chunk) or a `.gltf`.
fn gltf_json(path: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let json = if bytes.starts_with(b"glTF") {
        let word = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"));
        assert_eq!(
            word(16),
            0x4E4F_534A,
            "the first chunk of a GLB is its JSON"
        );
        &bytes[20..20 + word(12) as usize]
    } else {
        &bytes[..]
    };
    serde_json::from_slice(json).expect("glTF JSON")
}

/// The morph target names of each mesh (`extras.targetNames`), as Bevy reads them.
fn target_names(json: &Value) -> Vec<Vec<String>> {
    json["meshes"]
        .as_array()
        .expect("meshes")
        .iter()
        .map(|mesh| {
            mesh["extras"]["targetNames"]
                .as_array()
                .map(|names| {
                    names
                        .iter()
                        .map(|n| n.as_str().expect("a name").to_owned())
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

/// The targets `binding` moves for a mouth showing only `viseme` (with the jaw its shape opens).
fn moved(binding: &RigBinding, names: &[String], viseme: Viseme) -> Vec<String> {
    let mut mouth = VisemeWeights::REST;
    mouth.weights[viseme.index()] = 0.9;
    mouth.jaw_open = 0.9 * bevy_lipsync::lipsync::JAW_OPENING[viseme.index()];
    let mut out = vec![0.0; names.len()];
    binding.apply(&mouth, &mut out);
    names
        .iter()
        .zip(&out)
        .filter(|(_, w)| **w > 0.05)
        .map(|(n, _)| n.clone())
        .collect()
}

#[test]
fn the_rpm67_head_binds_every_viseme_by_name() {
    let names = &target_names(&gltf_json("assets/heads/mpfb_head_rpm67.glb"))[0];
    assert_eq!(names.len(), 67);
    let binding = RigPreset::OpenXr.bind(names);
    assert!(binding.missing().is_empty(), "{:?}", binding.missing());
    for viseme in Viseme::ALL.into_iter().filter(|&v| v != Viseme::Sil) {
        let moved = moved(&binding, names, viseme);
        assert!(
            moved.contains(&viseme.rpm_name().to_owned()),
            "{viseme:?} moves {moved:?}"
        );
    }
}

#[test]
fn the_arkit_head_gets_real_mouth_shapes_not_only_the_jaw() {
    let names = &target_names(&gltf_json("assets/heads/mpfb_head_arkit52.glb"))[0];
    assert_eq!(names.len(), 52);
    let binding = RigPreset::Arkit52.bind(names);
    assert!(binding.missing().is_empty(), "{:?}", binding.missing());
    for viseme in Viseme::ALL.into_iter().filter(|&v| v != Viseme::Sil) {
        let moved = moved(&binding, names, viseme);
        assert!(
            moved
                .iter()
                .any(|n| n.starts_with("mouth") || n == "tongueOut"),
            "{viseme:?} only moves {moved:?}"
        );
    }
    // The shapes a viewer reads: lips pressed, stretched, rounded.
    assert!(moved(&binding, names, Viseme::Pp).contains(&"mouthPressLeft".to_owned()));
    assert!(moved(&binding, names, Viseme::E).contains(&"mouthStretchRight".to_owned()));
    assert!(moved(&binding, names, Viseme::Ou).contains(&"mouthPucker".to_owned()));
}

#[test]
fn a_file_whose_morph_targets_have_no_names_binds_nothing_and_says_what_is_missing() {
    let json = gltf_json("assets/fixtures/AnimatedMorphCube.gltf");
    let targets = json["meshes"][0]["primitives"][0]["targets"]
        .as_array()
        .map_or(0, Vec::len);
    assert_eq!(targets, 2, "the fixture has targets");
    let names = &target_names(&json)[0];
    assert!(names.is_empty(), "and no names for them");
    let binding = RigPreset::OpenXr.bind(names);
    assert_eq!(binding.targets().count(), 0);
    assert_eq!(
        binding.missing().len(),
        15,
        "every viseme is reported missing"
    );
}

/// The VRM file's own bytes, as the `.vrm` loader reads them.
fn vrm(path: &str) -> VrmExpressions {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    VrmExpressions::parse(&bytes).expect("a VRM expression table")
}

#[test]
fn godette_binds_every_viseme_and_her_blink_through_her_vrm_table() {
    let vrm = vrm("assets/vrm/Godette_vrm_v4.vrm");
    assert_eq!(vrm.version, VrmVersion::V0);
    assert!(vrm.missing_mouth().is_empty(), "{:?}", vrm.missing_mouth());
    assert_eq!(
        vrm.bound_meshes(),
        [0],
        "only the face mesh has expressions"
    );
    // Her names live on the primitive, where Bevy's loader does not look.
    let json = gltf_json("assets/vrm/Godette_vrm_v4.vrm");
    assert!(target_names(&json)[0].is_empty());
    let names = &vrm.meshes[0].target_names;
    assert_eq!(names.len(), 15);
    let binding = vrm.rig(0).bind(names);
    assert!(binding.missing().is_empty(), "{:?}", binding.missing());
    let mouth = ["ah", "ih", "uu", "ee", "oh"].map(str::to_owned);
    // Five vowels and no closure shape: P B M close the lips by leaving every vowel at rest.
    let shaped = Viseme::ALL
        .into_iter()
        .filter(|&v| v != Viseme::Sil && v != Viseme::Pp);
    for viseme in shaped {
        let moved = moved(&binding, names, viseme);
        assert!(
            moved.iter().any(|n| mouth.contains(n)),
            "{viseme:?} moves {moved:?}"
        );
    }
    assert!(moved(&binding, names, Viseme::Pp).is_empty());
    assert_eq!(moved(&binding, names, Viseme::Aa), ["ah"]);
    assert_eq!(moved(&binding, names, Viseme::Ou), ["uu"]);
    // The same targets bound blind, as if the file named none.
    let blind = vrm.rig(0).bind(&vec![String::new(); 15]);
    assert_eq!(blind, binding);
    let taken: Vec<usize> = binding.targets().collect();
    let face = ExpressionBinding::from_vrm(&vrm, 0, |i| taken.contains(&i));
    let mut out = vec![0.0; 15];
    let closed = ExpressionWeights {
        blink: 1.0,
        ..Default::default()
    };
    face.apply(&closed, &mut out);
    assert_eq!((out[3], out[4]), (1.0, 1.0), "blink_left and blink_right");
    let mut out = vec![0.0; 15];
    let cross = ExpressionWeights {
        brow_down: 1.0,
        ..Default::default()
    };
    face.apply(&cross, &mut out);
    assert_eq!(out[14], 1.0, "Angry slants the eyebrows");
    assert_eq!(out[5], 0.0, "and leaves the mouth's `ah` to the mouth");
}

#[test]
fn a_vrm_missing_mouth_expressions_says_which() {
    let vrm = vrm("assets/vrm/simple_morph.vrm");
    assert_eq!(vrm.missing_mouth(), ["ih", "ou", "ee", "oh"]);
    let binding = vrm.rig(0).bind(&vrm.meshes[0].target_names);
    assert_eq!(binding.targets().collect::<Vec<_>>(), [0]);
}

#[test]
fn a_glb_without_vrm_extensions_is_not_taken_for_a_vrm() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/heads/mpfb_head_rpm67.glb");
    let err = VrmExpressions::parse(&std::fs::read(path).expect("the head")).unwrap_err();
    assert!(matches!(err, VrmError::NotVrm), "{err}");
    assert!(err.to_string().contains("RigPreset"), "{err}");
}

/// Loudness per 20 ms block.
fn envelope(pcm: &[i16], rate: u32) -> Vec<f32> {
    let block = (rate / 50) as usize;
    pcm.chunks(block)
        .map(|b| (b.iter().map(|&s| f32::from(s).powi(2)).sum::<f32>() / b.len() as f32).sqrt())
        .collect()
}

#[test]
fn the_recorded_line_decodes_alike_from_wav_ogg_mp3_and_flac() {
    use bevy_lipsync::audio::decode_audio;

    let read = |name: &str| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/lines")
            .join(name);
        let extension = path.extension().and_then(|e| e.to_str()).map(str::to_owned);
        let bytes = std::fs::read(&path).expect("a shipped line");
        decode_audio(bytes, extension.as_deref()).unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let wav = read("greeting.wav");
    assert_eq!(wav.sample_rate, 24_000);
    let reference = envelope(&wav.pcm, wav.sample_rate);
    for name in ["greeting.flac", "greeting.ogg", "greeting.mp3"] {
        let decoded = read(name);
        assert!(
            (decoded.seconds() - wav.seconds()).abs() < 0.1,
            "{name}: {} s vs {} s",
            decoded.seconds(),
            wav.seconds()
        );
        // The encoders delay the sound a little: the best lag within 60 ms must match.
        let other = envelope(&decoded.pcm, decoded.sample_rate);
        let best = (0..4)
            .map(|lag| {
                let pairs = reference.iter().zip(other.iter().skip(lag));
                let (mut xy, mut xx, mut yy) = (0.0f64, 0.0f64, 0.0f64);
                for (x, y) in pairs {
                    let (x, y) = (f64::from(*x), f64::from(*y));
                    xy += x * y;
                    xx += x * x;
                    yy += y * y;
                }
                xy / (xx.sqrt() * yy.sqrt()).max(1e-9)
            })
            .fold(0.0, f64::max);
        assert!(
            best > 0.95,
            "{name}: the loudness follows the WAV's ({best:.3})"
        );
    }
}
