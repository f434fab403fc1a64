//! A VRM file's own expression table: which morph targets, at which weights, make each of its
//! expressions (`aa ih ou ee oh`, `blink`, `happy`, ...).
//!
//! VRM characters name their shapes freely (`Fcl_MTH_A`, `ah`, `vrc.v_aa`) and often keep the
//! names on the glTF primitives, where many loaders never look, or nowhere at all. What a VRM
//! file does always carry is its expression table, binding each expression to morph targets by
//! index:
//!
//! - VRM 0.x: `extensions.VRM.blendShapeMaster.blendShapeGroups[]`, each with a `presetName`
//!   (`a i u e o`, `blink`, `joy`, `sorrow`, `angry`, `fun`, ...) and `binds` of
//!   `{mesh, index, weight}` with weights in `0..=100`;
//! - VRM 1.0: `extensions.VRMC_vrm.expressions.preset` (and `custom`), each with
//!   `morphTargetBinds` of `{node, index, weight}` with weights in `0..=1`.
//!
//! [`VrmExpressions::parse`] reads either from a `.vrm`/`.glb` file or glTF JSON, naming every
//! expression the VRM 1.0 way. [`VrmExpressions::rig`] then turns the five mouth expressions
//! into a rig for one mesh, and [`ExpressionBinding::from_vrm`](crate::ExpressionBinding::from_vrm) the blink and emotion
//! expressions, both by target index, so names are never needed.
//!
//! ```
//! use lipsync_core::{VrmExpressions, Viseme, VisemeWeights};
//!
//! let json = r#"{
//!   "asset": {"version": "2.0"},
//!   "meshes": [{"name": "Face", "primitives": [{"attributes": {}, "targets": [{}, {}]}]}],
//!   "extensions": {"VRM": {"blendShapeMaster": {"blendShapeGroups": [
//!     {"name": "A", "presetName": "a", "binds": [{"mesh": 0, "index": 1, "weight": 100}]},
//!     {"name": "Blink", "presetName": "blink", "binds": [{"mesh": 0, "index": 0, "weight": 100}]}
//!   ]}}}
//! }"#;
//! let vrm = VrmExpressions::parse(json.as_bytes())?;
//! let rig = vrm.rig(0).bind(&["", ""]);
//! let mut mouth = VisemeWeights::default();
//! mouth.weights[Viseme::Aa.index()] = 0.8;
//! mouth.jaw_open = 0.8 * lipsync_core::JAW_OPENING[Viseme::Aa.index()];
//! let mut morphs = [0.0; 2];
//! rig.apply(&mouth, &mut morphs);
//! assert_eq!(morphs, [0.0, 0.8]);
//! assert_eq!(vrm.missing_mouth(), ["ih", "ou", "ee", "oh"]);
//! # Ok::<(), lipsync_core::VrmError>(())
//! ```

use serde_json::Value;

use crate::rig::{RigPreset, RigTable, vrm_recipe};

/// The mouth expressions of VRM 1.0, in the order of their vowels.
pub const VRM_MOUTH: [&str; 5] = ["aa", "ih", "ou", "ee", "oh"];

/// What can go wrong reading a VRM file's expression table.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VrmError {
    /// The bytes are neither a binary glTF (`.vrm`, `.glb`) nor glTF JSON.
    #[error("not a glTF or VRM file: {0}")]
    NotGltf(String),
    /// A glTF file without the `VRM` (0.x) or `VRMC_vrm` (1.0) extension.
    #[error(
        "the glTF file has no VRM expression table (neither the VRM 0.x `VRM` nor the VRM 1.0 \
         `VRMC_vrm` extension): bind it by morph target names with a `RigPreset` instead"
    )]
    NotVrm,
    /// An expression binds a mesh, node or morph target the file does not have.
    #[error("VRM expression {expression:?} binds {what}, which the file does not have")]
    BadBind {
        /// The expression's VRM 1.0 name.
        expression: String,
        /// What is missing, e.g. `"morph target 20 of mesh 0 (15 targets)"`.
        what: String,
    },
}

/// Which VRM version a file follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub enum VrmVersion {
    /// VRM 0.x (`extensions.VRM`).
    V0,
    /// VRM 1.0 (`extensions.VRMC_vrm`).
    V1,
}

/// One glTF mesh of a VRM file.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct VrmMesh {
    /// The mesh's name, if it has one.
    pub name: Option<String>,
    /// Its morph target count (of its first primitive; glTF requires all to agree).
    pub targets: usize,
    /// Target names, from the mesh's or its first primitive's `extras.targetNames`; empty when
    /// the file names none.
    pub target_names: Vec<String>,
}

/// A morph target an expression moves.
#[derive(Clone, Copy, Debug, PartialEq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct VrmBind {
    /// glTF mesh index.
    pub mesh: usize,
    /// Morph target index in that mesh.
    pub target: usize,
    /// Weight at full expression, `0..=1` (VRM 0.x's `0..=100` divided by 100).
    pub weight: f32,
}

/// One expression of the table.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct VrmExpression {
    /// The VRM 1.0 name of a preset (`aa`, `blink`, `happy`, `blinkLeft`, ...; VRM 0.x's
    /// `a`, `joy`, `sorrow`, `blink_l` are renamed), or a custom expression's own name.
    pub name: String,
    /// Whether it is one of VRM's presets.
    pub preset: bool,
    /// The targets it moves.
    pub binds: Vec<VrmBind>,
}

/// A VRM file's expression table (see the [module](self) docs).
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "bevy_reflect", derive(bevy_reflect::Reflect))]
pub struct VrmExpressions {
    /// The file's VRM version.
    pub version: VrmVersion,
    /// Every glTF mesh, by index.
    pub meshes: Vec<VrmMesh>,
    /// Every expression, presets and custom ones.
    pub expressions: Vec<VrmExpression>,
}

/// The glTF JSON inside `bytes`: the first chunk of a binary glTF, or the bytes themselves.
fn gltf_json(bytes: &[u8]) -> Result<Value, VrmError> {
    let json = if bytes.starts_with(b"glTF") {
        let word = |at: usize| {
            bytes
                .get(at..at + 4)
                .map(|w| u32::from_le_bytes([w[0], w[1], w[2], w[3]]) as usize)
        };
        let (Some(length), Some(0x4E4F_534A)) = (word(12), word(16)) else {
            return Err(VrmError::NotGltf(
                "the binary glTF does not start with a JSON chunk".into(),
            ));
        };
        bytes.get(20..20 + length).ok_or_else(|| {
            VrmError::NotGltf(format!(
                "the JSON chunk says {length} bytes, the file has {}",
                bytes.len().saturating_sub(20)
            ))
        })?
    } else {
        bytes
    };
    serde_json::from_slice(json).map_err(|e| VrmError::NotGltf(e.to_string()))
}

/// `extras.targetNames` of a mesh or primitive.
fn target_names(holder: &Value) -> Option<Vec<String>> {
    let names = holder.pointer("/extras/targetNames")?.as_array()?;
    Some(
        names
            .iter()
            .map(|n| n.as_str().unwrap_or_default().to_owned())
            .collect(),
    )
}

/// VRM 0.x preset names in VRM 1.0's spelling.
fn v1_name(v0_preset: &str) -> Option<&'static str> {
    Some(match v0_preset.to_ascii_lowercase().as_str() {
        "a" => "aa",
        "i" => "ih",
        "u" => "ou",
        "e" => "ee",
        "o" => "oh",
        "blink" => "blink",
        "blink_l" => "blinkLeft",
        "blink_r" => "blinkRight",
        "joy" => "happy",
        "sorrow" => "sad",
        "angry" => "angry",
        "fun" => "relaxed",
        "lookup" => "lookUp",
        "lookdown" => "lookDown",
        "lookleft" => "lookLeft",
        "lookright" => "lookRight",
        "neutral" => "neutral",
        _ => return None,
    })
}

impl VrmExpressions {
    /// Reads the expression table of a `.vrm` file (binary glTF) or of glTF JSON.
    pub fn parse(bytes: &[u8]) -> Result<VrmExpressions, VrmError> {
        let json = gltf_json(bytes)?;
        let meshes: Vec<VrmMesh> = json["meshes"]
            .as_array()
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .map(|mesh| {
                let first = &mesh["primitives"][0];
                VrmMesh {
                    name: mesh["name"].as_str().map(str::to_owned),
                    targets: first["targets"].as_array().map_or(0, Vec::len),
                    target_names: target_names(mesh)
                        .or_else(|| target_names(first))
                        .unwrap_or_default(),
                }
            })
            .collect();
        let number = |v: &Value| v.as_u64().map(|n| n as usize);
        let mut expressions = Vec::new();
        let version;
        if let Some(groups) = json.pointer("/extensions/VRM/blendShapeMaster/blendShapeGroups") {
            version = VrmVersion::V0;
            for group in groups.as_array().map(Vec::as_slice).unwrap_or_default() {
                let own = group["name"].as_str().unwrap_or_default();
                let preset = group["presetName"].as_str().and_then(v1_name);
                let name = preset.map_or_else(|| own.to_owned(), str::to_owned);
                let binds = group["binds"].as_array().map(Vec::as_slice);
                let binds = binds
                    .unwrap_or_default()
                    .iter()
                    .map(|bind| {
                        Ok(VrmBind {
                            mesh: number(&bind["mesh"])
                                .ok_or_else(|| bad(&name, "a bind with no mesh"))?,
                            target: number(&bind["index"])
                                .ok_or_else(|| bad(&name, "a bind with no morph target index"))?,
                            weight: (bind["weight"].as_f64().unwrap_or(100.0) / 100.0) as f32,
                        })
                    })
                    .collect::<Result<_, VrmError>>()?;
                // "neutral" moves nothing; VRM 0.x exporters write it with no binds.
                if preset != Some("neutral") {
                    expressions.push(VrmExpression {
                        name,
                        preset: preset.is_some(),
                        binds,
                    });
                }
            }
        } else if let Some(table) = json.pointer("/extensions/VRMC_vrm/expressions") {
            version = VrmVersion::V1;
            for (kind, preset) in [("preset", true), ("custom", false)] {
                let Some(entries) = table[kind].as_object() else {
                    continue;
                };
                for (name, expression) in entries {
                    let binds = expression["morphTargetBinds"].as_array().map(Vec::as_slice);
                    let binds = binds
                        .unwrap_or_default()
                        .iter()
                        .map(|bind| {
                            let node = number(&bind["node"])
                                .ok_or_else(|| bad(name, "a bind with no node"))?;
                            let mesh = number(&json["nodes"][node]["mesh"])
                                .ok_or_else(|| bad(name, &format!("node {node} with a mesh")))?;
                            Ok(VrmBind {
                                mesh,
                                target: number(&bind["index"]).ok_or_else(|| {
                                    bad(name, "a bind with no morph target index")
                                })?,
                                weight: bind["weight"].as_f64().unwrap_or(1.0) as f32,
                            })
                        })
                        .collect::<Result<_, VrmError>>()?;
                    expressions.push(VrmExpression {
                        name: name.clone(),
                        preset,
                        binds,
                    });
                }
            }
        } else {
            return Err(VrmError::NotVrm);
        }
        for expression in &expressions {
            for bind in &expression.binds {
                let Some(mesh) = meshes.get(bind.mesh) else {
                    return Err(bad(&expression.name, &format!("mesh {}", bind.mesh)));
                };
                if bind.target >= mesh.targets {
                    let what = format!(
                        "morph target {} of mesh {} ({} targets)",
                        bind.target, bind.mesh, mesh.targets
                    );
                    return Err(bad(&expression.name, &what));
                }
            }
        }
        Ok(VrmExpressions {
            version,
            meshes,
            expressions,
        })
    }

    /// The expression named `name` (VRM 1.0 names: `aa`, `blink`, `happy`, ...).
    pub fn expression(&self, name: &str) -> Option<&VrmExpression> {
        self.expressions.iter().find(|e| e.name == name)
    }

    /// The mouth expressions (`aa ih ou ee oh`) that move nothing in this file: the visemes
    /// leaning on them will not show.
    pub fn missing_mouth(&self) -> Vec<&'static str> {
        VRM_MOUTH
            .into_iter()
            .filter(|name| self.expression(name).is_none_or(|e| e.binds.is_empty()))
            .collect()
    }

    /// The glTF meshes any expression moves.
    pub fn bound_meshes(&self) -> Vec<usize> {
        let mut meshes: Vec<usize> = self
            .expressions
            .iter()
            .flat_map(|e| e.binds.iter().map(|b| b.mesh))
            .collect();
        meshes.sort_unstable();
        meshes.dedup();
        meshes
    }

    /// The mouth of glTF mesh `mesh` as a rig: each target its mouth expressions move gets the
    /// [`RigPreset::Vrm`] recipe of those expressions, times their bind weights. Targets are
    /// addressed by index (`"#5"`), so the rig binds whatever the mesh's targets are called.
    pub fn rig(&self, mesh: usize) -> RigPreset {
        let mut table = RigTable::default();
        for name in VRM_MOUTH {
            let (Some(expression), Some(recipe)) = (self.expression(name), vrm_recipe(name)) else {
                continue;
            };
            for bind in expression.binds.iter().filter(|b| b.mesh == mesh) {
                let target = table
                    .targets
                    .entry(format!("#{}", bind.target))
                    .or_default();
                for &(input, k) in recipe {
                    *target.entry(input).or_insert(0.0) += k * bind.weight;
                }
            }
        }
        RigPreset::Custom(table)
    }

    /// `(target index, weight)` of every bind of `name` on `mesh`.
    pub(crate) fn binds_on(
        &self,
        name: &str,
        mesh: usize,
    ) -> impl Iterator<Item = (usize, f32)> + '_ {
        self.expression(name)
            .into_iter()
            .flat_map(move |e| e.binds.iter().filter(move |b| b.mesh == mesh))
            .map(|b| (b.target, b.weight))
    }
}

fn bad(expression: &str, what: &str) -> VrmError {
    VrmError::BadBind {
        expression: expression.to_owned(),
        what: what.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ExpressionBinding, ExpressionWeights, Viseme, VisemeWeights};

    const V0: &str = r#"{
      "asset": {"version": "2.0"},
      "meshes": [
        {"name": "Face", "primitives": [{"attributes": {}, "targets": [{}, {}, {}, {}],
         "extras": {"targetNames": ["blink_l", "blink_r", "mouth_a", "mouth_o"]}}]},
        {"name": "Body", "primitives": [{"attributes": {}}]}
      ],
      "extensions": {"VRM": {"blendShapeMaster": {"blendShapeGroups": [
        {"name": "Neutral", "presetName": "neutral", "binds": []},
        {"name": "A", "presetName": "a", "binds": [{"mesh": 0, "index": 2, "weight": 100}]},
        {"name": "O", "presetName": "o", "binds": [{"mesh": 0, "index": 3, "weight": 50}]},
        {"name": "Blink", "presetName": "blink", "binds": [
          {"mesh": 0, "index": 0, "weight": 100}, {"mesh": 0, "index": 1, "weight": 100}]},
        {"name": "Joy", "presetName": "joy", "binds": [{"mesh": 0, "index": 3, "weight": 40}]},
        {"name": "Wink", "presetName": "unknown", "binds": [{"mesh": 0, "index": 0, "weight": 100}]}
      ]}}}
    }"#;

    const V1: &str = r#"{
      "asset": {"version": "2.0"},
      "nodes": [{"name": "Root"}, {"name": "Face", "mesh": 0}],
      "meshes": [{"name": "Face", "extras": {"targetNames": ["A", "Blink"]},
        "primitives": [{"attributes": {}, "targets": [{}, {}]}]}],
      "extensions": {"VRMC_vrm": {"expressions": {
        "preset": {
          "aa": {"morphTargetBinds": [{"node": 1, "index": 0, "weight": 0.9}]},
          "blink": {"morphTargetBinds": [{"node": 1, "index": 1, "weight": 1.0}]}
        },
        "custom": {"smirk": {"morphTargetBinds": [{"node": 1, "index": 0, "weight": 0.2}]}}
      }}}
    }"#;

    /// A mouth showing only `viseme`, with the jaw its shape opens.
    fn mouth(viseme: Viseme, weight: f32) -> VisemeWeights {
        let mut m = VisemeWeights::default();
        m.weights[viseme.index()] = weight;
        m.jaw_open = weight * crate::JAW_OPENING[viseme.index()];
        m
    }

    #[test]
    fn vrm0_groups_are_read_with_names_on_primitives_and_weights_out_of_100() {
        let vrm = VrmExpressions::parse(V0.as_bytes()).unwrap();
        assert_eq!(vrm.version, VrmVersion::V0);
        assert_eq!(vrm.meshes[0].target_names[2], "mouth_a");
        assert_eq!(vrm.meshes[1].targets, 0);
        let names: Vec<&str> = vrm.expressions.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["aa", "oh", "blink", "happy", "Wink"]);
        assert!(!vrm.expression("Wink").unwrap().preset);
        assert_eq!(vrm.expression("oh").unwrap().binds[0].weight, 0.5);
        assert_eq!(vrm.missing_mouth(), ["ih", "ou", "ee"]);
        assert_eq!(vrm.bound_meshes(), [0]);
    }

    #[test]
    fn vrm1_binds_go_through_nodes_to_meshes() {
        let vrm = VrmExpressions::parse(V1.as_bytes()).unwrap();
        assert_eq!(vrm.version, VrmVersion::V1);
        let aa = vrm.expression("aa").unwrap();
        assert_eq!(
            aa.binds,
            [VrmBind {
                mesh: 0,
                target: 0,
                weight: 0.9
            }]
        );
        assert!(!vrm.expression("smirk").unwrap().preset);
        let rig = vrm.rig(0).bind(&["A", "Blink"]);
        let mut out = [0.0; 2];
        rig.apply(&mouth(Viseme::Aa, 1.0), &mut out);
        assert!((out[0] - 0.9).abs() < 1e-6, "{out:?}");
        assert_eq!(out[1], 0.0);
    }

    #[test]
    fn the_rig_scales_the_vowel_recipes_by_the_bind_weights_and_ignores_other_meshes() {
        let vrm = VrmExpressions::parse(V0.as_bytes()).unwrap();
        // Nameless targets bind by index.
        let rig = vrm.rig(0).bind(&["", "", "", ""]);
        assert!(rig.missing().is_empty());
        let mut out = [0.0; 4];
        rig.apply(&mouth(Viseme::Oh, 1.0), &mut out);
        assert_eq!(out, [0.0, 0.0, 0.0, 0.5]);
        // A consonant leans on its vowel: KK opens a little through `aa`.
        rig.apply(&mouth(Viseme::Kk, 1.0), &mut out);
        assert!(out[2] > 0.1, "{out:?}");
        // The body has no mouth.
        assert_eq!(vrm.rig(1).bind(&["x"]).targets().count(), 0);
    }

    #[test]
    fn blink_and_emotions_come_from_the_table_and_skip_the_mouths_targets() {
        let vrm = VrmExpressions::parse(V0.as_bytes()).unwrap();
        let taken = [2, 3];
        let binding = ExpressionBinding::from_vrm(&vrm, 0, |i| taken.contains(&i));
        let mut out = [0.0; 4];
        let blink = ExpressionWeights {
            blink: 1.0,
            ..Default::default()
        };
        binding.apply(&blink, &mut out);
        assert_eq!(out, [1.0, 1.0, 0.0, 0.0]);
        // Joy only moves target 3, which the mouth drives, so smiling writes nothing.
        let smile = ExpressionWeights {
            smile: 1.0,
            ..Default::default()
        };
        let mut out = [0.0; 4];
        binding.apply(&smile, &mut out);
        assert_eq!(out, [0.0; 4]);
        let free = ExpressionBinding::from_vrm(&vrm, 0, |_| false);
        free.apply(&smile, &mut out);
        assert!((out[3] - 0.4).abs() < 1e-6, "{out:?}");
    }

    #[test]
    fn bad_files_say_what_is_wrong() {
        assert!(matches!(
            VrmExpressions::parse(b"not json"),
            Err(VrmError::NotGltf(_))
        ));
        assert!(matches!(
            VrmExpressions::parse(br#"{"asset": {"version": "2.0"}}"#),
            Err(VrmError::NotVrm)
        ));
        let out_of_range = V0.replace(r#""index": 3, "weight": 50"#, r#""index": 9, "weight": 50"#);
        let err = VrmExpressions::parse(out_of_range.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "VRM expression \"oh\" binds morph target 9 of mesh 0 (4 targets), which the file does not have"
        );
        let truncated = b"glTF\x02\0\0\0\x40\0\0\0\x80\0\0\0JSON{}";
        assert!(matches!(
            VrmExpressions::parse(truncated),
            Err(VrmError::NotGltf(_))
        ));
    }
}
