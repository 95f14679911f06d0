//! Pictures of a model (SVG, through plotters): the map of objects and prototypes
//! from `PrototypeMap`, and the accuracy-coverage curve.

use plotters::prelude::*;
use std::path::Path;

/// One object on the map.
pub struct Point {
    pub x: f64,
    pub y: f64,
    /// Position of its class in the model's classes.
    pub class: usize,
    /// Training objects are drawn small and pale, held-out ones full.
    pub held_out: bool,
    pub misclassified: bool,
}

/// One prototype on the map.
pub struct Proto {
    pub x: f64,
    pub y: f64,
    pub class: usize,
    pub label: String,
}

/// The accuracy-coverage curve and the suggested threshold `(coverage, accuracy,
/// threshold)`.
pub struct Curve {
    pub points: Vec<(f64, f64)>,
    pub suggested: Option<(f64, f64, f64)>,
}

/// Everything one picture shows.
pub struct Picture<'a> {
    pub title: &'a str,
    pub classes: &'a [String],
    pub points: &'a [Point],
    pub prototypes: &'a [Proto],
    /// Share of the variance the map's two axes keep, and the share of negative
    /// eigenvalues (non-Euclidean part).
    pub explained: f64,
    pub negative: f64,
    pub curve: Option<Curve>,
}

const PALETTE: [RGBColor; 8] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
];

fn colour(class: usize) -> RGBColor {
    PALETTE[class % PALETTE.len()]
}

/// Writes the picture as SVG: the map, and the curve beside it when there is one.
pub fn write_svg(path: &Path, p: &Picture<'_>) -> Result<(), String> {
    let width = if p.curve.is_some() { 1280 } else { 720 };
    let root = SVGBackend::new(path, (width, 640)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| format!("{}: {e}", path.display());
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let (map_area, curve_area) = if p.curve.is_some() { root.split_horizontally(720) } else { (root.clone(), root.margin(0, 0, 0, 0)) };
    draw_map(&map_area, p).map_err(|e| err(&e))?;
    if let Some(curve) = &p.curve {
        draw_curve(&curve_area, curve).map_err(|e| err(&e))?;
    }
    root.present().map_err(|e| err(&e))
}

/// The values' range, padded by `below` and `above` of its width.
fn range(values: impl Iterator<Item = f64>, below: f64, above: f64) -> std::ops::Range<f64> {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| (lo.min(v), hi.max(v)));
    let width = (hi - lo).max(1e-9);
    (lo - below * width)..(hi + above * width)
}

type Area<'a> = DrawingArea<SVGBackend<'a>, plotters::coord::Shift>;

/// `EmptyElement::at(at)` with a diamond of half-height `r` (pixels) and a black
/// edge: a prototype's marker.
macro_rules! diamond {
    ($at:expr, $r:expr, $fill:expr) => {{
        let (r, w) = ($r, $r * 5 / 6);
        EmptyElement::at($at)
            + Polygon::new(vec![(0, -r), (w, 0), (0, r), (-w, 0)], $fill.filled())
            + PathElement::new(vec![(0, -r), (w, 0), (0, r), (-w, 0), (0, -r)], BLACK.stroke_width(2))
    }};
}

fn draw_map(area: &Area<'_>, p: &Picture<'_>) -> Result<(), Box<dyn std::error::Error>> {
    // The legend gets a column of its own, so it never hides a prototype.
    let (plot_area, legend_area) = area.split_horizontally(area.dim_in_pixel().0 as i32 - 190);
    let xs = p.points.iter().map(|q| q.x).chain(p.prototypes.iter().map(|q| q.x));
    let ys = p.points.iter().map(|q| q.y).chain(p.prototypes.iter().map(|q| q.y));
    let mut chart = ChartBuilder::on(&plot_area)
        .caption(p.title, ("sans-serif", 20))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(range(xs, 0.06, 0.12), range(ys, 0.08, 0.08))?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_desc(format!("MDS axis 1 (the two axes keep {:.0} % of the variance)", 100.0 * p.explained))
        .y_desc(if p.negative > 0.005 {
            format!("MDS axis 2 (non-Euclidean share {:.0} %)", 100.0 * p.negative)
        } else {
            "MDS axis 2".into()
        })
        .axis_desc_style(("sans-serif", 15))
        .label_style(("sans-serif", 13))
        .draw()?;
    // Training objects first (small, pale), then held-out ones on top.
    let many = p.points.len() > 1000;
    for held_out in [false, true] {
        let size = match (held_out, many) {
            (true, false) => 4,
            (false, false) | (true, true) => 3,
            (false, true) => 2,
        };
        chart.draw_series(p.points.iter().filter(|q| q.held_out == held_out).map(|q| {
            let c = colour(q.class);
            let style = if held_out { c.filled() } else { c.mix(0.35).filled() };
            Circle::new((q.x, q.y), size, style)
        }))?;
    }
    // Misclassified held-out objects ringed.
    chart.draw_series(
        p.points.iter().filter(|q| q.misclassified && q.held_out).map(|q| Circle::new((q.x, q.y), 7, BLACK.stroke_width(1))),
    )?;
    // Prototypes: large diamonds with a black edge, labelled.
    chart.draw_series(
        p.prototypes
            .iter()
            .map(|q| diamond!((q.x, q.y), 13, colour(q.class)) + Text::new(q.label.clone(), (14, -20), ("sans-serif", 14).into_font())),
    )?;
    // The legend column.
    let font = ("sans-serif", 14).into_font();
    let mut y = 60;
    let mut entry =
        |marker: &dyn Fn(i32, i32) -> Result<(), Box<dyn std::error::Error>>, text: &str| -> Result<(), Box<dyn std::error::Error>> {
            marker(14, y)?;
            legend_area.draw(&Text::new(text.to_string(), (32, y - 8), font.clone()))?;
            y += 26;
            Ok(())
        };
    for (c, name) in p.classes.iter().enumerate() {
        entry(&|x, y| Ok(legend_area.draw(&Circle::new((x, y), 5, colour(c).filled()))?), name)?;
    }
    entry(&|x, y| Ok(legend_area.draw(&diamond!((x, y), 9, WHITE))?), "prototype")?;
    entry(&|x, y| Ok(legend_area.draw(&Circle::new((x, y), 7, BLACK.stroke_width(1)))?), "misclassified")?;
    entry(&|x, y| Ok(legend_area.draw(&Circle::new((x, y), 4, BLACK.filled()))?), "held out")?;
    entry(&|x, y| Ok(legend_area.draw(&Circle::new((x, y), 3, BLACK.mix(0.35).filled()))?), "training")?;
    Ok(())
}

fn draw_curve(area: &Area<'_>, curve: &Curve) -> Result<(), Box<dyn std::error::Error>> {
    let lowest = curve.points.iter().map(|p| p.1).fold(1.0f64, f64::min);
    let mut chart = ChartBuilder::on(area)
        .caption("Accuracy against coverage (held-out objects)", ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..1.02, (lowest - 0.05).max(0.0)..1.01)?;
    chart
        .configure_mesh()
        .x_desc("coverage (share of objects accepted)")
        .y_desc("accuracy among the accepted")
        .axis_desc_style(("sans-serif", 15))
        .label_style(("sans-serif", 13))
        .draw()?;
    chart
        .draw_series(LineSeries::new(curve.points.iter().copied(), PALETTE[0].stroke_width(3)))?
        .label("accept objects with confidence >= threshold")
        .legend(|(x, y)| PathElement::new(vec![(x - 10, y), (x + 10, y)], PALETTE[0].stroke_width(3)));
    if let Some((coverage, accuracy, threshold)) = curve.suggested {
        chart
            .draw_series(std::iter::once(Circle::new((coverage, accuracy), 7, PALETTE[3].filled())))?
            .label(format!("suggested: threshold {threshold:.3}, accuracy {accuracy:.3}, coverage {coverage:.2}"))
            .legend(|(x, y)| Circle::new((x, y), 6, PALETTE[3].filled()));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerLeft)
        .label_font(("sans-serif", 14))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}
