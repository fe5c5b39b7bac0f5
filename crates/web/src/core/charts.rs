//! Charts drawn as SVG on the server (no JavaScript), each with a title for screen readers and
//! the same figures in a table beside it on the page.

use mamori_domain::Lang;
use mamori_domain::assessment::Tally;
use mamori_domain::catalog::{ControlKind, ControlTiming};
use std::collections::BTreeMap;
use std::fmt::Write;

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A colour from light (0 %) to dark blue (100 %), one hue so that it reads for colour-blind
/// readers and in grey print; grey when there is nothing to rate.
fn colour(percent: Option<u32>) -> String {
    match percent {
        None => "#d9dde3".to_string(),
        Some(p) => {
            let p = p.min(100) as f32 / 100.0;
            let mix = |from: u8, to: u8| (from as f32 + (to as f32 - from as f32) * p) as u8;
            format!(
                "#{:02x}{:02x}{:02x}",
                mix(0xde, 0x08),
                mix(0xeb, 0x30),
                mix(0xf7, 0x6b)
            )
        }
    }
}

/// Text that stays legible on a cell of that colour.
fn ink(percent: Option<u32>) -> &'static str {
    match percent {
        Some(p) if p >= 50 => "#fff",
        _ => "#1d2433",
    }
}

/// The matrix's rows: the kinds of control, with their labels.
fn kinds(lang: Lang) -> [(ControlKind, &'static str); 3] {
    [
        (
            ControlKind::Organisational,
            lang.pick("組織的", "Organisational"),
        ),
        (ControlKind::System, lang.pick("システム的", "System")),
        (ControlKind::Human, lang.pick("人的", "Human")),
    ]
}

/// The matrix's columns: when a control acts, with their labels.
fn timings(lang: Lang) -> [(ControlTiming, &'static str); 3] {
    [
        (ControlTiming::Preventive, lang.pick("予防的", "Preventive")),
        (ControlTiming::Detective, lang.pick("発見的", "Detective")),
        (ControlTiming::Corrective, lang.pick("是正的", "Corrective")),
    ]
}

/// The 3×3 matrix as the heatmap with its figures beside it in a table: the table is what a
/// screen reader reads and what a reader who cannot tell the shades apart compares.
pub fn control_matrix(cells: &BTreeMap<(ControlKind, ControlTiming), Tally>, lang: Lang) -> String {
    format!(
        r#"<div class="chart-with-data">{}{}</div>"#,
        control_heatmap(cells, lang),
        control_table(cells, lang)
    )
}

/// The 3×3 matrix as a table: はい rate and (はい/rated) per cell.
pub fn control_table(cells: &BTreeMap<(ControlKind, ControlTiming), Tally>, lang: Lang) -> String {
    let mut out = format!(
        r#"<table class="matrix-data"><caption>{}</caption><thead><tr><th></th>"#,
        escape(lang.pick("はい率(はい/回答)", "Share of yes (yes/rated)"))
    );
    for (_, label) in timings(lang) {
        let _ = write!(out, r#"<th scope="col">{}</th>"#, escape(label));
    }
    out.push_str("</tr></thead><tbody>");
    for (kind, label) in kinds(lang) {
        let _ = write!(out, r#"<tr><th scope="row">{}</th>"#, escape(label));
        for (timing, _) in timings(lang) {
            let t = cells.get(&(kind, timing)).copied().unwrap_or_default();
            match t.yes_percent() {
                Some(p) => {
                    let _ = write!(out, "<td>{p}% ({}/{})</td>", t.yes, t.yes + t.no);
                }
                None => out.push_str("<td>—</td>"),
            }
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The 3×3 matrix (組織的/システム的/人的 × 予防的/発見的/是正的) as a heatmap of はい rates.
pub fn control_heatmap(
    cells: &BTreeMap<(ControlKind, ControlTiming), Tally>,
    lang: Lang,
) -> String {
    let (rows, cols) = (kinds(lang), timings(lang));
    let (left, top, w, h) = (110, 30, 120, 60);
    let title = lang.pick(
        "コントロールの3×3マトリクス(はい率)",
        "3×3 control matrix (share of yes)",
    );
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {} {}" width="{}" height="{}" class="heatmap"><title>{}</title>"#,
        left + 3 * w + 10,
        top + 3 * h + 50,
        left + 3 * w + 10,
        top + 3 * h + 50,
        escape(title)
    );
    for (c, (_, label)) in cols.iter().enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{}" y="20" text-anchor="middle" font-size="13">{}</text>"#,
            left + c * w + w / 2,
            escape(label)
        );
    }
    for (r, (kind, label)) in rows.iter().enumerate() {
        let y = top + r * h;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end" font-size="13">{}</text>"#,
            left - 8,
            y + h / 2 + 5,
            escape(label)
        );
        for (c, (timing, col_label)) in cols.iter().enumerate() {
            let t = cells.get(&(*kind, *timing)).copied().unwrap_or_default();
            let pct = t.yes_percent();
            let text = pct.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into());
            let x = left + c * w;
            let _ = write!(
                svg,
                r##"<g><title>{} × {}: {} ({}/{})</title><rect x="{x}" y="{y}" width="{}" height="{}" fill="{}" stroke="#fff" stroke-width="2"/><text x="{}" y="{}" text-anchor="middle" font-size="16" fill="{}">{}</text></g>"##,
                escape(label),
                escape(col_label),
                text,
                t.yes,
                t.yes + t.no,
                w,
                h,
                colour(pct),
                x + w / 2,
                y + h / 2 + 6,
                ink(pct),
                text
            );
        }
    }
    // The legend: the scale in five steps, and the grey of a cell with nothing to rate.
    let y = top + 3 * h + 16;
    for (k, p) in [0u32, 25, 50, 75, 100].into_iter().enumerate() {
        let x = left + k * 48;
        let _ = write!(
            svg,
            r##"<rect x="{x}" y="{y}" width="44" height="16" fill="{}"/><text x="{}" y="{}" text-anchor="middle" font-size="11" fill="{}">{p}%</text>"##,
            colour(Some(p)),
            x + 22,
            y + 12,
            ink(Some(p))
        );
    }
    let x = left + 5 * 48 + 8;
    let _ = write!(
        svg,
        r##"<rect x="{x}" y="{y}" width="16" height="16" fill="{}"/><text x="{}" y="{}" font-size="11">{}</text>"##,
        colour(None),
        x + 20,
        y + 12,
        escape(lang.pick("回答なし", "no answers"))
    );
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_heatmap_shows_each_cell_rate_and_greys_empty_cells() {
        let mut cells = BTreeMap::new();
        cells.insert(
            (ControlKind::System, ControlTiming::Preventive),
            Tally {
                yes: 3,
                no: 1,
                na: 0,
                open: 0,
            },
        );
        let svg = control_heatmap(&cells, Lang::Ja);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("システム的 × 予防的: 75% (3/4)"));
        // Nine cells and the legend's six swatches.
        assert_eq!(svg.matches("<rect").count(), 15);
        assert_eq!(svg.matches("#d9dde3").count(), 9);
        assert!(svg.contains("回答なし"));
        // One hue from light to dark: lightness alone tells the rate.
        assert_eq!(colour(Some(0)), "#deebf7");
        assert_eq!(colour(Some(100)), "#08306b");
        assert_eq!(ink(Some(100)), "#fff");
    }

    #[test]
    fn the_matrix_has_its_figures_in_a_table_beside_the_heatmap() {
        let mut cells = BTreeMap::new();
        cells.insert(
            (ControlKind::Human, ControlTiming::Corrective),
            Tally {
                yes: 1,
                no: 2,
                na: 4,
                open: 0,
            },
        );
        let html = control_matrix(&cells, Lang::En);
        let (svg, table) = html.split_once("</svg>").expect("the heatmap first");
        assert!(svg.contains("<svg"));
        assert!(table.contains("<caption>Share of yes (yes/rated)</caption>"));
        assert_eq!(table.matches("<th scope=\"row\">").count(), 3);
        assert_eq!(table.matches("<td>").count(), 9);
        // Human × Corrective is the last cell; the others have nothing rated.
        assert!(
            table.contains("<th scope=\"row\">Human</th><td>—</td><td>—</td><td>33% (1/3)</td>")
        );
        assert_eq!(table.matches("<td>—</td>").count(), 8);
    }
}
