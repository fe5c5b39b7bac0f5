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

/// A colour from red (0 %) through amber to green (100 %); grey when there is nothing to rate.
fn colour(percent: Option<u32>) -> String {
    match percent {
        None => "#d9dde3".to_string(),
        Some(p) => {
            let p = p.min(100) as f32 / 100.0;
            let (r, g, b) = if p < 0.5 {
                (
                    0xc6 as f32,
                    0x28 as f32 + (0xa6 - 0x28) as f32 * p * 2.0,
                    0x28 as f32,
                )
            } else {
                (
                    0xc6 as f32 - (0xc6 - 0x2e) as f32 * (p - 0.5) * 2.0,
                    0xa6 as f32 - (0xa6 - 0x7d) as f32 * (p - 0.5) * 2.0,
                    0x28 as f32 + (0x32 - 0x28) as f32 * (p - 0.5) * 2.0,
                )
            };
            format!("#{:02x}{:02x}{:02x}", r as u8, g as u8, b as u8)
        }
    }
}

/// The 3×3 matrix (組織的/システム的/人的 × 予防的/発見的/是正的) as a heatmap of はい rates.
pub fn control_heatmap(
    cells: &BTreeMap<(ControlKind, ControlTiming), Tally>,
    lang: Lang,
) -> String {
    let rows = [
        (
            ControlKind::Organisational,
            lang.pick("組織的", "Organisational"),
        ),
        (ControlKind::System, lang.pick("システム的", "System")),
        (ControlKind::Human, lang.pick("人的", "Human")),
    ];
    let cols = [
        (ControlTiming::Preventive, lang.pick("予防的", "Preventive")),
        (ControlTiming::Detective, lang.pick("発見的", "Detective")),
        (ControlTiming::Corrective, lang.pick("是正的", "Corrective")),
    ];
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
        top + 3 * h + 10,
        left + 3 * w + 10,
        top + 3 * h + 10,
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
                if pct.is_some() { "#fff" } else { "#333" },
                text
            );
        }
    }
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
        assert_eq!(svg.matches("<rect").count(), 9);
        assert_eq!(svg.matches("#d9dde3").count(), 8);
        assert_eq!(colour(Some(0)), "#c62828");
        assert_eq!(colour(Some(100)), "#2e7d32");
    }
}
