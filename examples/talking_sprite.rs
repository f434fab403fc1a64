//! A 2D character: a drawn head whose mouth is a sprite sheet of the nine classic mouth
//! drawings (A-H and X, [`MouthShape`]), switched by [`SpriteMouth`] as the voice is heard.
//!
//! ```text
//! cargo run --release --example talking_sprite
//! cargo run --release --example talking_sprite -- --screenshot sprite.png --after 3
//! ```
//!
//! The sheet is drawn in code here (one 64 x 48 cell per drawing, lettered A to H then X); a game
//! loads its artist's sheet instead and, if its cells are in another order, says where each
//! drawing is with [`SpriteMouth::with_cells`]. Without a display, run it under
//! `xvfb-run -a -s "-screen 0 1280x720x24"`.

#[path = "support/screenshot.rs"]
mod screenshot;

use bevy::asset::RenderAssetUsages;
use bevy::image::TextureAtlasLayout;
use bevy::prelude::*;
use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
use bevy::window::WindowResolution;
use bevy_lipsync::prelude::*;
use screenshot::OneShot;

const CELL: UVec2 = UVec2::new(64, 48);
const LINES: [&str; 3] = [
    "Hello there! Fine weather for a walk, but mind the puddles.",
    "Would you like a map of the old forest? Only five silver coins.",
    "Be careful out there, and come back before the moon is up.",
];

/// A drawn 2D character that talks.
#[derive(Resource, Clone, Debug, clap::Parser)]
#[command(name = "talking_sprite")]
struct Options {
    /// Save a screenshot here once --after seconds have passed and the mouth is open, then exit.
    #[arg(long, value_name = "PATH")]
    screenshot: Option<String>,
    /// Seconds before the screenshot.
    #[arg(long, value_name = "SECONDS", default_value_t = 3.0)]
    after: f32,
}

fn main() -> AppExit {
    let options = <Options as clap::Parser>::parse();
    App::new()
        .add_plugins(DefaultPlugins.set(WindowPlugin {
            primary_window: Some(Window {
                title: "bevy_lipsync: a talking sprite".into(),
                resolution: WindowResolution::new(1280, 720),
                ..default()
            }),
            ..default()
        }))
        .add_plugins(LipsyncPlugin::new(LipsyncSettings {
            default_voice: "offline:female".into(),
            ..default()
        }))
        .insert_resource(options)
        .insert_resource(ClearColor(Color::srgb(0.55, 0.75, 0.9)))
        .add_systems(Startup, setup)
        .add_systems(Update, (talk, screenshot))
        .run()
}

/// The character.
#[derive(Component)]
struct Character;

fn setup(
    mut commands: Commands,
    mut images: ResMut<Assets<Image>>,
    mut layouts: ResMut<Assets<TextureAtlasLayout>>,
) {
    commands.spawn(Camera2d);
    let sheet = images.add(mouth_sheet());
    let layout = layouts.add(TextureAtlasLayout::from_grid(CELL, 9, 1, None, None));
    let head = images.add(head_image());
    commands
        .spawn((
            Character,
            Speaker::new("offline:female"),
            Sprite::from_image(head),
            Transform::from_scale(Vec3::splat(1.6)),
        ))
        .with_child((
            Sprite::from_atlas_image(sheet, TextureAtlas { layout, index: 8 }),
            SpriteMouth::default(),
            Transform::from_xyz(0.0, -55.0, 1.0).with_scale(Vec3::splat(1.3)),
        ));
}

/// Says the next line whenever the character is quiet.
fn talk(
    mut commands: Commands,
    character: Single<(Entity, &SpeechQueue), With<Character>>,
    mut next: Local<usize>,
) {
    let (entity, queue) = *character;
    if !queue.is_speaking() && queue.waiting() == 0 {
        commands.entity(entity).say(LINES[*next % LINES.len()]);
        *next += 1;
    }
}

/// `--screenshot`: saves the window once the time has passed and the mouth is open, then exits.
fn screenshot(
    mut commands: Commands,
    options: Res<Options>,
    time: Res<Time<Real>>,
    mouth: Single<&SpriteMouth>,
    mut shot: Local<OneShot>,
    mut exit: MessageWriter<AppExit>,
) {
    let Some(path) = &options.screenshot else {
        return;
    };
    let open = matches!(mouth.shape, MouthShape::C | MouthShape::D | MouthShape::E);
    let elapsed = time.elapsed_secs();
    let ready = elapsed >= options.after && (open || elapsed > options.after + 30.0);
    shot.update(&mut commands, path, ready, &mut exit);
}

/// An RGBA image `size` pixels, transparent.
struct Canvas {
    size: UVec2,
    data: Vec<u8>,
}

impl Canvas {
    fn new(size: UVec2) -> Self {
        Canvas {
            size,
            data: vec![0; (size.x * size.y * 4) as usize],
        }
    }

    /// Fills the ellipse centred at `c` with radii `r`.
    fn ellipse(&mut self, c: Vec2, r: Vec2, color: [u8; 4]) {
        for y in 0..self.size.y {
            for x in 0..self.size.x {
                let d = (Vec2::new(x as f32 + 0.5, y as f32 + 0.5) - c) / r;
                if d.length_squared() <= 1.0 {
                    let i = ((y * self.size.x + x) * 4) as usize;
                    self.data[i..i + 4].copy_from_slice(&color);
                }
            }
        }
    }

    fn into_image(self) -> Image {
        Image::new(
            Extent3d {
                width: self.size.x,
                height: self.size.y,
                depth_or_array_layers: 1,
            },
            TextureDimension::D2,
            self.data,
            TextureFormat::Rgba8UnormSrgb,
            RenderAssetUsages::RENDER_WORLD,
        )
    }
}

const LIP: [u8; 4] = [170, 60, 70, 255];
const DARK: [u8; 4] = [60, 20, 30, 255];
const TEETH: [u8; 4] = [245, 245, 235, 255];
const TONGUE: [u8; 4] = [220, 110, 120, 255];

/// The nine mouths, side by side, lettered A to H then X.
fn mouth_sheet() -> Image {
    let mut canvas = Canvas::new(UVec2::new(CELL.x * 9, CELL.y));
    for (i, shape) in MouthShape::ALL.into_iter().enumerate() {
        let c = Vec2::new(CELL.x as f32 * (i as f32 + 0.5), CELL.y as f32 / 2.0);
        let open = |canvas: &mut Canvas, w: f32, h: f32| {
            canvas.ellipse(c, Vec2::new(w + 3.0, h + 3.0), LIP);
            canvas.ellipse(c, Vec2::new(w, h), DARK);
        };
        match shape {
            // Lips pressed together.
            MouthShape::A => canvas.ellipse(c, Vec2::new(22.0, 4.0), LIP),
            // Slightly open, teeth together.
            MouthShape::B => {
                open(&mut canvas, 20.0, 6.0);
                canvas.ellipse(c, Vec2::new(17.0, 3.0), TEETH);
            }
            // Open.
            MouthShape::C => {
                open(&mut canvas, 21.0, 11.0);
                canvas.ellipse(c - Vec2::Y * 8.0, Vec2::new(15.0, 3.0), TEETH);
            }
            // Wide open.
            MouthShape::D => {
                open(&mut canvas, 22.0, 18.0);
                canvas.ellipse(c - Vec2::Y * 14.0, Vec2::new(15.0, 3.0), TEETH);
                canvas.ellipse(c + Vec2::Y * 11.0, Vec2::new(12.0, 5.0), TONGUE);
            }
            // Slightly open, rounded.
            MouthShape::E => open(&mut canvas, 13.0, 11.0),
            // Puckered.
            MouthShape::F => open(&mut canvas, 6.0, 6.0),
            // Upper teeth on the lower lip.
            MouthShape::G => {
                open(&mut canvas, 19.0, 5.0);
                canvas.ellipse(c - Vec2::Y * 2.0, Vec2::new(16.0, 4.0), TEETH);
            }
            // Open, tongue raised behind the teeth.
            MouthShape::H => {
                open(&mut canvas, 20.0, 12.0);
                canvas.ellipse(c - Vec2::Y * 4.0, Vec2::new(10.0, 5.0), TONGUE);
            }
            // At rest.
            MouthShape::X => canvas.ellipse(c, Vec2::new(18.0, 3.0), LIP),
        }
    }
    canvas.into_image()
}

/// A round head with eyes.
fn head_image() -> Image {
    let mut canvas = Canvas::new(UVec2::splat(240));
    let c = Vec2::splat(120.0);
    canvas.ellipse(c, Vec2::new(100.0, 112.0), [240, 200, 165, 255]);
    for side in [-1.0, 1.0] {
        let eye = c + Vec2::new(38.0 * side, -28.0);
        canvas.ellipse(eye, Vec2::new(15.0, 18.0), [255, 255, 255, 255]);
        canvas.ellipse(eye + Vec2::Y * 3.0, Vec2::new(7.0, 8.0), [50, 40, 40, 255]);
        canvas.ellipse(
            c + Vec2::new(38.0 * side, 30.0),
            Vec2::new(14.0, 8.0),
            [245, 170, 160, 255],
        );
    }
    canvas.into_image()
}
