use super::*;

fn mouth(viseme: Viseme, weight: f32, jaw: f32) -> VisemeWeights {
    let mut m = VisemeWeights::default();
    m.weights[viseme.index()] = weight;
    m.jaw_open = jaw;
    m
}

#[test]
fn openxr_binds_ready_player_me_or_openxr_names() {
    let rpm: Vec<&str> = Viseme::ALL.iter().map(|v| v.rpm_name()).collect();
    let binding = RigPreset::OpenXr.bind(&rpm);
    assert!(binding.missing().is_empty());
    let mut out = vec![0.0; 15];
    binding.apply(&mouth(Viseme::Aa, 0.8, 0.8), &mut out);
    assert_eq!(out[Viseme::Aa.index()], 0.8);
    assert_eq!(out.iter().sum::<f32>(), 0.8);

    let binding = RigPreset::OpenXr.bind(&["Head", "aa", "PP", "jawOpen"]);
    let mut out = [0.5, 0.0, 0.0, 0.0];
    // A jaw opened by the audio fallback alone drives jawOpen; AA's own jaw does not.
    binding.apply(&mouth(Viseme::Aa, 0.8, 0.8 + 0.1), &mut out);
    assert_eq!(out[0], 0.5, "unbound targets are left alone");
    assert_eq!(out[1], 0.8);
    assert!((out[3] - 0.1).abs() < 1e-6, "{out:?}");
    assert_eq!(binding.missing().len(), 13);
}

#[test]
fn arkit_recipes_cover_the_readable_mouth() {
    let names = RigPreset::Arkit52.target_names();
    assert_eq!(names.len(), 15);
    let binding = RigPreset::Arkit52.bind(&names);
    assert!(binding.missing().is_empty());
    let value = |m: &VisemeWeights, name: &str| {
        let mut out = vec![0.0; names.len()];
        binding.apply(m, &mut out);
        out[names.iter().position(|n| n == name).unwrap_or(usize::MAX)]
    };
    assert_eq!(value(&mouth(Viseme::Aa, 0.9, 0.9), "jawOpen"), 0.9);
    assert!(value(&mouth(Viseme::Pp, 0.9, 0.0), "mouthPressLeft") > 0.5);
    assert!(value(&mouth(Viseme::Ou, 0.9, 0.09), "mouthPucker") > 0.8);
    assert!(value(&mouth(Viseme::Ff, 0.9, 0.05), "mouthRollLower") > 0.5);
    assert!(value(&mouth(Viseme::Th, 0.9, 0.2), "tongueOut") > 0.3);
    assert_eq!(value(&VisemeWeights::REST, "mouthFunnel"), 0.0);
}

#[test]
fn arkit_names_bind_in_apples_spelling_and_the_side_suffixed_ones() {
    let apple = [
        "jawOpen",
        "mouthStretchLeft",
        "mouthStretchRight",
        "eyeBlinkLeft",
    ];
    let blender = ["jawOpen", "mouthStretch_L", "MouthStretch.R", "eyeBlink_L"];
    for names in [apple, blender] {
        let binding = RigPreset::Arkit52.bind(&names);
        let mut out = [0.0; 4];
        binding.apply(&mouth(Viseme::E, 0.9, 0.2), &mut out);
        assert!(out[1] > 0.3 && out[2] > 0.3, "{names:?}: {out:?}");
        assert_eq!(out[3], 0.0, "no eye in a mouth recipe");
        assert_eq!(binding.targets().count(), 3, "{names:?}");
    }
    // A stem that only looks alike is not the same target.
    let binding = RigPreset::Arkit52.bind(&["mouthStretchL", "mouthStretcher_L"]);
    assert_eq!(binding.targets().count(), 0);
    assert_eq!(sided("mouthStretch_L"), "mouthstretchleft");
    assert_eq!(sided("jawOpen"), "jawopen");
}

#[test]
fn vrm_vowels_and_the_jaw_fallback() {
    let binding = RigPreset::Vrm.bind(&["aa", "ih", "ou", "ee", "oh"]);
    let mut out = [0.0; 5];
    binding.apply(&mouth(Viseme::Oh, 0.9, 0.45), &mut out);
    assert_eq!(out, [0.0, 0.0, 0.0, 0.0, 0.9]);
    binding.apply(&mouth(Viseme::Aa, 0.9, 0.9), &mut out);
    assert!((out[0] - 0.9).abs() < 1e-6);
    // Audio energy only (no metadata yet): the jaw shows as "aa".
    binding.apply(&mouth(Viseme::Sil, 0.0, 0.6), &mut out);
    assert!((out[0] - 0.6).abs() < 1e-6);
}

#[test]
fn user_tables_load_from_json_and_round_trip() {
    let json = r#"{ "targets": { "Open": { "jaw": 0.5, "viseme_aa": 0.5 }, "O": { "OH": 1 } } }"#;
    let table = RigTable::from_json(json).unwrap();
    assert_eq!(table.targets["Open"][&RigInput::Viseme(Viseme::Aa)], 0.5);
    let back = RigTable::from_json(&serde_json::to_string(&table).unwrap()).unwrap();
    assert_eq!(back, table);
    assert!(matches!(
        RigTable::from_json(r#"{ "targets": { "X": { "smile": 1 } } }"#),
        Err(RigError::Table(e)) if e.contains("smile")
    ));
    let binding = RigPreset::Custom(table).bind(&["open"]);
    assert_eq!(binding.missing(), ["O"]);
    assert_eq!(binding.targets().collect::<Vec<_>>(), [0]);
}
