//! The holiday calendar cross-checked against the Python `jpholiday` package, year by year.

use std::process::Command;

#[test]
fn the_holiday_calendar_agrees_with_jpholiday_from_2016_to_2060() {
    let python = std::env::var("MAMORI_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = "import jpholiday\nfor y in range(2016, 2061):\n    for d, n in jpholiday.year_holidays(y):\n        print(d.isoformat())\n";
    let out = Command::new(&python)
        .args(["-c", script])
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run {python} ({e}); bash .ci/run installs jpholiday and sets MAMORI_PYTHON"
            )
        });
    assert!(
        out.status.success(),
        "jpholiday is needed (pip install jpholiday): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let theirs: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let ours: Vec<String> = (2016..=2060)
        .flat_map(mamori_domain::holidays::holidays)
        .map(|(d, _)| d.to_string())
        .collect();
    assert!(theirs.len() > 45 * 15, "jpholiday printed too little");
    let missing: Vec<_> = theirs.iter().filter(|d| !ours.contains(d)).collect();
    let extra: Vec<_> = ours.iter().filter(|d| !theirs.contains(d)).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing {missing:?}, extra {extra:?}"
    );
}
