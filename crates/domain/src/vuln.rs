//! Known vulnerabilities and the devices they touch: reading the CISA Known Exploited
//! Vulnerabilities catalog and NVD CVE API 2.0 pages (offline files a user downloads), CPE 2.3
//! names, version ranges, and matching them against what people typed in the device ledger.

use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::HashMap;

/// A CPE 2.3 name, the attributes we match on, unescaped and lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cpe {
    /// `a` application, `o` operating system / firmware, `h` hardware.
    pub part: String,
    /// Vendor.
    pub vendor: String,
    /// Product.
    pub product: String,
    /// Version, `*` for any, `-` for not applicable.
    pub version: String,
    /// Update (release, hotfix: `r2`, `h1`), `*` or `-`.
    pub update: String,
}

/// Splits a CPE 2.3 formatted string on unescaped colons and removes the escapes.
pub fn parse_cpe(s: &str) -> Option<Cpe> {
    let rest = s.strip_prefix("cpe:2.3:")?;
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ':' => fields.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    fields.push(cur);
    if fields.len() != 11 {
        return None;
    }
    // JVN iPedia writes some punctuation percent-encoded (`%28idc%29`), as in CPE's URI binding.
    let fields: Vec<String> = fields.iter().map(|f| percent_decode(f)).collect();
    let f = |i: usize| fields.get(i).map(|s| s.to_lowercase()).unwrap_or_default();
    Some(Cpe {
        part: f(0),
        vendor: f(1),
        product: f(2),
        version: f(3),
        update: f(4),
    })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            _ => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

/// One segment of a version: numbers compare as numbers, words as words.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Seg {
    Num(u64),
    Word(String),
}

fn segments(v: &str) -> Vec<Seg> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let flush = |cur: &mut String, out: &mut Vec<Seg>| {
        if cur.is_empty() {
            return;
        }
        let s = std::mem::take(cur);
        out.push(match s.parse::<u64>() {
            Ok(n) => Seg::Num(n),
            Err(_) => Seg::Word(s.to_lowercase()),
        });
    };
    for c in v.trim().chars() {
        if c.is_ascii_alphanumeric() {
            let switch = cur
                .chars()
                .last()
                .is_some_and(|l| l.is_ascii_digit() != c.is_ascii_digit());
            if switch {
                flush(&mut cur, &mut out);
            }
            cur.push(c);
        } else {
            flush(&mut cur, &mut out);
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Compares dotted versions with build and release suffixes as people and vendors write them:
/// `6.0.4` < `6.0.10`, `17.9.4` < `17.9.4a`, `22.6R2` = `22.6 r2`, `11.1.2-h1` > `11.1.2`.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    let (a, b) = (segments(a), segments(b));
    for i in 0..a.len().max(b.len()) {
        let ord = match (a.get(i), b.get(i)) {
            (Some(Seg::Num(x)), Some(Seg::Num(y))) => x.cmp(y),
            (Some(Seg::Word(x)), Some(Seg::Word(y))) => x.cmp(y),
            // A number after a common prefix is a later release than a letter (6.0.1 > 6.0.beta).
            (Some(Seg::Num(_)), Some(Seg::Word(_))) => Ordering::Greater,
            (Some(Seg::Word(_)), Some(Seg::Num(_))) => Ordering::Less,
            (Some(_), None) => Ordering::Greater,
            (None, Some(_)) => Ordering::Less,
            (None, None) => Ordering::Equal,
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// A vulnerable CPE with the version bounds NVD gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpeMatch {
    /// The CPE (its version may be `*` when bounds are given).
    pub cpe: Cpe,
    /// Lowest affected version, included.
    pub start_including: Option<String>,
    /// Lowest bound, excluded.
    pub start_excluding: Option<String>,
    /// Highest affected version, included.
    pub end_including: Option<String>,
    /// First fixed version.
    pub end_excluding: Option<String>,
    /// The hardware (vendor, product) a firmware CPE runs on, from the AND configuration it sits
    /// in: the name people type for the appliance (`sma_100` for `sma_100_firmware`).
    #[serde(default)]
    pub platforms: Vec<(String, String)>,
}

/// The canonical form of a CPE or typed name for lookups: CPE names mix `-` and `_`
/// (`fortigate-6300f`, `big-ip_apm`), people type either.
fn canon(s: &str) -> String {
    s.replace('-', "_")
}

fn given(s: &str) -> bool {
    !matches!(s, "*" | "-" | "")
}

/// Which rule of a CPE match a version met, or why it could not be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Rule {
    /// The CPE names this version and update (`11.1.2` + `h1`; `-` = no update, `*` = any).
    Exact {
        /// Version of the CPE.
        version: String,
        /// Its update field.
        update: String,
    },
    /// The version lies within the bounds (each `(bound, included)`).
    Range {
        /// The version compared.
        typed: String,
        /// Lower bound.
        start: Option<(String, bool)>,
        /// Upper bound.
        end: Option<(String, bool)>,
    },
    /// NVD lists the product without any version: every version counts, unchecked.
    AnyVersion,
    /// The ledger gives no version: the product matched, the version is unchecked.
    NoVersionTyped,
    /// The source names products only (JVN iPedia's overview).
    NotVersioned,
    /// Only CISA's catalog names it, in words (vendor and product).
    KevName,
    /// The version rule is met, but the record affects only some hardware models and the
    /// ledger does not say which model this is.
    OnlyOnHardware {
        /// The rule the version met.
        met: Box<Rule>,
        /// The models the record names (the first few).
        hardware: Vec<String>,
    },
}

impl Rule {
    /// The stable code of the rule's kind, as serialised (`exact`, `range`, …).
    pub fn kind(&self) -> &'static str {
        match self {
            Rule::Exact { .. } => "exact",
            Rule::Range { .. } => "range",
            Rule::AnyVersion => "any_version",
            Rule::NoVersionTyped => "no_version_typed",
            Rule::NotVersioned => "not_versioned",
            Rule::KevName => "kev_name",
            Rule::OnlyOnHardware { .. } => "only_on_hardware",
        }
    }

    /// The rule as a person reads it.
    pub fn text(&self, lang: crate::Lang) -> String {
        match self {
            Rule::Exact { version, update } => match update.as_str() {
                "-" => lang
                    .pick("{v}(アップデートなし)と一致", "equals {v} (no update)")
                    .replace("{v}", version),
                "*" | "" => lang
                    .pick("{v}(アップデートを問わず)に該当", "{v}, any update")
                    .replace("{v}", version),
                u => lang
                    .pick("{v} {u} と一致", "equals {v} {u}")
                    .replace("{v}", version)
                    .replace("{u}", u),
            },
            Rule::Range { typed, start, end } => {
                let mut s = String::new();
                if let Some((b, inc)) = start {
                    s.push_str(&format!("{b} {} ", if *inc { "≤" } else { "<" }));
                }
                s.push_str(typed);
                if let Some((b, inc)) = end {
                    s.push_str(&format!(" {} {b}", if *inc { "≤" } else { "<" }));
                }
                s
            }
            Rule::AnyVersion => lang
                .pick(
                    "NVDは版を示していない(全バージョン、未確認)",
                    "NVD gives no version (all versions, unchecked)",
                )
                .into(),
            Rule::NoVersionTyped => lang
                .pick(
                    "台帳にバージョンがないため版は未確認",
                    "no version in the ledger: not checked",
                )
                .into(),
            Rule::NotVersioned => lang
                .pick(
                    "JVN iPedia の製品名のみで一致(版は未確認)",
                    "JVN iPedia names the product only (version unchecked)",
                )
                .into(),
            Rule::KevName => lang
                .pick(
                    "KEVの製造元・製品名で一致(版は未確認)",
                    "KEV's vendor and product names (version unchecked)",
                )
                .into(),
            Rule::OnlyOnHardware { met, hardware } => lang
                .pick(
                    "{r}。ただし対象は {h} などの機種のみ(機種は未確認)",
                    "{r}, but only on {h} and similar models (model not checked)",
                )
                .replace("{r}", &met.text(lang))
                .replace("{h}", &hardware.join(", ")),
        }
    }
}

/// Why a finding matched: the CPE (or KEV names), the rule, and the name it was found by.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Why {
    /// The CPE 2.3 name of the match, or the KEV vendor and product.
    pub cpe: String,
    /// The rule the version met.
    pub rule: Rule,
    /// The hardware name the device was found by, when not the CPE's own product.
    pub via_hardware: Option<String>,
}

impl Why {
    /// One line a person can check against the record.
    pub fn text(&self, lang: crate::Lang) -> String {
        let mut s = format!("{}: {}", self.cpe, self.rule.text(lang));
        if let Some(h) = &self.via_hardware {
            s.push_str(
                &lang
                    .pick("(ハードウェア {h} の名前で)", " (by the hardware name {h})")
                    .replace("{h}", h),
            );
        }
        s
    }
}

impl CpeMatch {
    /// The CPE 2.3 name as NVD writes it (vendor to update; the rest are wildcards).
    pub fn criteria(&self) -> String {
        let c = &self.cpe;
        format!(
            "cpe:2.3:{}:{}:{}:{}:{}",
            c.part, c.vendor, c.product, c.version, c.update
        )
    }

    /// The (vendor, product) names a device may be found by, canonical: the CPE's own, the
    /// product without `_firmware`, and the hardware it runs on.
    pub fn names(&self) -> Vec<(String, String)> {
        let vendor = canon(&self.cpe.vendor);
        let product = canon(&self.cpe.product);
        let mut out = vec![(vendor.clone(), product.clone())];
        if let Some(bare) = product.strip_suffix("_firmware") {
            out.push((vendor.clone(), bare.to_string()));
        }
        out.extend(self.platforms.iter().map(|(v, p)| (canon(v), canon(p))));
        out.sort();
        out.dedup();
        out
    }

    /// Whether a version (with its update part, e.g. `r2`) falls in this match.
    pub fn covers(&self, version: &str) -> bool {
        self.rule_met(version).is_some()
    }

    /// The rule a version meets, if any. A CPE naming no version and no bounds meets
    /// [`Rule::AnyVersion`]: the product is affected but nothing about the version was checked.
    pub fn rule_met(&self, version: &str) -> Option<Rule> {
        let c = &self.cpe;
        if given(&c.version) {
            let exact = Rule::Exact {
                version: c.version.clone(),
                update: c.update.clone(),
            };
            let (typed, listed) = (segments(version), segments(&c.version));
            let hit = match c.update.as_str() {
                // `-`: the release itself, without any hotfix or service release.
                "-" => typed == listed,
                // `*`: that version with any update (`12.1` and `12.1 r3`).
                "*" | "" => typed.get(..listed.len()) == Some(&listed[..]),
                u => compare_versions(version, &format!("{} {u}", c.version)) == Ordering::Equal,
            };
            return hit.then_some(exact);
        }
        let bounds = [
            &self.start_including,
            &self.start_excluding,
            &self.end_including,
            &self.end_excluding,
        ];
        if bounds.iter().all(|b| b.is_none()) {
            return Some(Rule::AnyVersion);
        }
        let ok = |bound: &Option<String>, pass: fn(Ordering) -> bool| {
            bound
                .as_ref()
                .is_none_or(|b| pass(compare_versions(version, b)))
        };
        let inside = ok(&self.start_including, |o| o != Ordering::Less)
            && ok(&self.start_excluding, |o| o == Ordering::Greater)
            && ok(&self.end_including, |o| o != Ordering::Greater)
            && ok(&self.end_excluding, |o| o == Ordering::Less);
        let pick = |inc: &Option<String>, exc: &Option<String>| {
            inc.clone()
                .map(|b| (b, true))
                .or_else(|| exc.clone().map(|b| (b, false)))
        };
        inside.then(|| Rule::Range {
            typed: version.to_string(),
            start: pick(&self.start_including, &self.start_excluding),
            end: pick(&self.end_including, &self.end_excluding),
        })
    }
}

/// What CISA's catalog says of an exploited vulnerability.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KevEntry {
    /// Vendor in words, e.g. `Fortinet`.
    pub vendor: String,
    /// Product in words, e.g. `FortiOS`.
    pub product: String,
    /// Name of the vulnerability.
    pub name: String,
    /// Added to the catalog.
    pub date_added: String,
    /// CISA's due date for federal agencies.
    pub due_date: String,
    /// Known to be used by ransomware campaigns.
    pub ransomware: bool,
}

/// One vulnerability as mamori keeps it: from NVD, from KEV, or both merged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vulnerability {
    /// `CVE-YYYY-NNNN`.
    pub cve: String,
    /// English description.
    pub description: String,
    /// Highest CVSS v3 base score given.
    pub cvss: Option<f32>,
    /// The vulnerable CPEs (platform-only entries of AND configurations left out).
    pub matches: Vec<CpeMatch>,
    /// Present when the vulnerability is known to be exploited.
    pub kev: Option<KevEntry>,
    /// Whether the matches say which versions are affected (NVD); JVN iPedia's overview names
    /// products without reliable version bounds, so its matches only ever show "version unchecked".
    #[serde(default = "versions_known_by_default")]
    pub versions_known: bool,
}

fn versions_known_by_default() -> bool {
    true
}

/// Why an imported file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FeedError {
    /// Not JSON, or not in the expected shape; the text says where.
    Shape(String),
    /// Neither a KEV catalog nor an NVD CVE API 2.0 page.
    Unknown,
}

impl std::fmt::Display for FeedError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FeedError::Shape(s) => write!(f, "{s}"),
            FeedError::Unknown => write!(f, "neither a KEV catalog nor an NVD CVE API 2.0 file"),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KevFile {
    vulnerabilities: Vec<KevRow>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KevRow {
    #[serde(rename = "cveID")]
    cve_id: String,
    vendor_project: String,
    product: String,
    #[serde(default)]
    vulnerability_name: String,
    #[serde(default)]
    date_added: String,
    #[serde(default)]
    due_date: String,
    #[serde(default)]
    short_description: String,
    #[serde(default)]
    known_ransomware_campaign_use: String,
}

#[derive(Deserialize)]
struct NvdFile {
    format: String,
    vulnerabilities: Vec<NvdItem>,
}

#[derive(Deserialize)]
struct NvdItem {
    cve: NvdCve,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdCve {
    id: String,
    #[serde(default)]
    descriptions: Vec<NvdText>,
    #[serde(default)]
    metrics: NvdMetrics,
    #[serde(default)]
    configurations: Vec<NvdConfig>,
    #[serde(default)]
    cisa_exploit_add: Option<String>,
    #[serde(default)]
    cisa_action_due: Option<String>,
    #[serde(default)]
    cisa_vulnerability_name: Option<String>,
}

#[derive(Deserialize)]
struct NvdText {
    lang: String,
    value: String,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct NvdMetrics {
    #[serde(default)]
    cvss_metric_v31: Vec<NvdMetric>,
    #[serde(default)]
    cvss_metric_v30: Vec<NvdMetric>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdMetric {
    cvss_data: NvdCvss,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdCvss {
    base_score: f32,
}

#[derive(Deserialize)]
struct NvdConfig {
    #[serde(default)]
    nodes: Vec<NvdNode>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdNode {
    #[serde(default)]
    negate: bool,
    #[serde(default)]
    cpe_match: Vec<NvdCpeMatch>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct NvdCpeMatch {
    vulnerable: bool,
    criteria: String,
    version_start_including: Option<String>,
    version_start_excluding: Option<String>,
    version_end_including: Option<String>,
    version_end_excluding: Option<String>,
}

fn shape(e: serde_json::Error) -> FeedError {
    FeedError::Shape(format!("line {}, column {}: {e}", e.line(), e.column()))
}

/// Reads a KEV catalog or an NVD CVE API 2.0 page, telling which by its content.
pub fn read_feed(bytes: &[u8]) -> Result<Vec<Vulnerability>, FeedError> {
    let v: serde_json::Value = serde_json::from_slice(bytes).map_err(shape)?;
    if v.get("catalogVersion").is_some() {
        let f: KevFile = serde_json::from_value(v).map_err(shape)?;
        return Ok(f.vulnerabilities.into_iter().map(from_kev).collect());
    }
    if v.pointer("/status/method").and_then(|m| m.as_str()) == Some("getVulnOverviewList") {
        let f: JvnFile = serde_json::from_value(v).map_err(shape)?;
        return Ok(f.feed.entry.into_iter().map(from_jvn).collect());
    }
    if v.get("format").and_then(|f| f.as_str()) == Some("NVD_CVE") {
        let f: NvdFile = serde_json::from_value(v).map_err(shape)?;
        debug_assert_eq!(f.format, "NVD_CVE");
        return Ok(f
            .vulnerabilities
            .into_iter()
            .map(|i| from_nvd(i.cve))
            .collect());
    }
    Err(FeedError::Unknown)
}

#[derive(Deserialize)]
struct JvnFile {
    feed: JvnFeed,
}

#[derive(Deserialize)]
struct JvnFeed {
    #[serde(default)]
    entry: Vec<JvnEntry>,
}

#[derive(Deserialize)]
struct JvnEntry {
    id: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    references: Vec<JvnReference>,
    #[serde(default)]
    products: Vec<JvnProduct>,
    #[serde(default)]
    metrics: Vec<JvnMetric>,
}

#[derive(Deserialize)]
struct JvnReference {
    #[serde(default)]
    summary: String,
    #[serde(default)]
    source: String,
}

#[derive(Deserialize)]
struct JvnProduct {
    #[serde(default)]
    product_ids: Option<JvnProductIds>,
}

#[derive(Deserialize)]
struct JvnProductIds {
    #[serde(default)]
    cpe: String,
}

#[derive(Deserialize)]
struct JvnMetric {
    #[serde(default)]
    content: serde_json::Value,
}

/// A JVN iPedia overview entry (MyJVN getVulnOverviewList, feed `oka`): keyed by its CVE when it
/// names one, so it merges with KEV and NVD, else by its JVNDB id.
fn from_jvn(e: JvnEntry) -> Vulnerability {
    let cve = e
        .references
        .iter()
        .find(|r| r.source == "CVE" && r.summary.starts_with("CVE-"))
        .map(|r| r.summary.clone())
        .unwrap_or_else(|| e.id.clone());
    let cvss = e
        .metrics
        .iter()
        .filter_map(|m| {
            m.content
                .pointer("/cvss_v3/baseScore")
                .and_then(|s| s.as_f64())
        })
        .map(|s| s as f32)
        .fold(None, |acc: Option<f32>, s| {
            Some(acc.map_or(s, |a| a.max(s)))
        });
    let matches = e
        .products
        .iter()
        .filter_map(|p| p.product_ids.as_ref())
        .filter_map(|ids| parse_cpe(&ids.cpe))
        .map(|cpe| CpeMatch {
            cpe,
            start_including: None,
            start_excluding: None,
            end_including: None,
            end_excluding: None,
            platforms: Vec::new(),
        })
        .collect();
    Vulnerability {
        cve,
        description: format!("{} ({})", e.title, e.id),
        cvss,
        matches,
        kev: None,
        versions_known: false,
    }
}

fn from_kev(r: KevRow) -> Vulnerability {
    Vulnerability {
        cve: r.cve_id,
        description: r.short_description,
        cvss: None,
        matches: Vec::new(),
        kev: Some(KevEntry {
            vendor: r.vendor_project,
            product: r.product,
            name: r.vulnerability_name,
            date_added: r.date_added,
            due_date: r.due_date,
            ransomware: r
                .known_ransomware_campaign_use
                .eq_ignore_ascii_case("known"),
        }),
        versions_known: true,
    }
}

fn from_nvd(c: NvdCve) -> Vulnerability {
    let description = c
        .descriptions
        .iter()
        .find(|d| d.lang == "en")
        .map(|d| d.value.clone())
        .unwrap_or_default();
    let cvss = c
        .metrics
        .cvss_metric_v31
        .iter()
        .chain(c.metrics.cvss_metric_v30.iter())
        .map(|m| m.cvss_data.base_score)
        .fold(None, |acc: Option<f32>, s| {
            Some(acc.map_or(s, |a| a.max(s)))
        });
    let mut matches = Vec::new();
    for conf in &c.configurations {
        // In an AND configuration the platform-only entries name the hardware the firmware
        // runs on: people type the appliance's name, so keep it as a name to find it by.
        let hardware: Vec<(String, String)> = conf
            .nodes
            .iter()
            .flat_map(|n| n.cpe_match.iter())
            .filter(|m| !m.vulnerable)
            .filter_map(|m| parse_cpe(&m.criteria))
            .filter(|c| c.part == "h")
            .map(|c| (c.vendor, c.product))
            .collect();
        for m in conf
            .nodes
            .iter()
            .filter(|n| !n.negate)
            .flat_map(|n| n.cpe_match.iter())
            .filter(|m| m.vulnerable)
        {
            let Some(cpe) = parse_cpe(&m.criteria) else {
                continue;
            };
            matches.push(CpeMatch {
                cpe,
                start_including: m.version_start_including.clone(),
                start_excluding: m.version_start_excluding.clone(),
                end_including: m.version_end_including.clone(),
                end_excluding: m.version_end_excluding.clone(),
                platforms: hardware.clone(),
            });
        }
    }
    // NVD marks CVEs in KEV; the vendor and product words come with the KEV file itself.
    let kev = c.cisa_exploit_add.map(|added| KevEntry {
        vendor: String::new(),
        product: String::new(),
        name: c.cisa_vulnerability_name.unwrap_or_default(),
        date_added: added,
        due_date: c.cisa_action_due.unwrap_or_default(),
        ransomware: false,
    });
    Vulnerability {
        cve: c.id,
        description,
        cvss,
        matches,
        kev,
        versions_known: true,
    }
}

/// Merges a newly read record into what is known of the same CVE: NVD brings the versions, KEV
/// the exploitation; neither erases the other.
pub fn merge(old: &Vulnerability, new: &Vulnerability) -> Vulnerability {
    let keep_old = new.matches.is_empty()
        || (!new.versions_known && old.versions_known && !old.matches.is_empty());
    let kev = match (&old.kev, &new.kev) {
        (Some(a), Some(b)) => Some(KevEntry {
            vendor: if b.vendor.is_empty() {
                a.vendor.clone()
            } else {
                b.vendor.clone()
            },
            product: if b.product.is_empty() {
                a.product.clone()
            } else {
                b.product.clone()
            },
            name: if b.name.is_empty() {
                a.name.clone()
            } else {
                b.name.clone()
            },
            date_added: b.date_added.clone(),
            due_date: if b.due_date.is_empty() {
                a.due_date.clone()
            } else {
                b.due_date.clone()
            },
            ransomware: a.ransomware || b.ransomware,
        }),
        (a, b) => b.clone().or_else(|| a.clone()),
    };
    Vulnerability {
        cve: new.cve.clone(),
        description: if new.description.is_empty() {
            old.description.clone()
        } else {
            new.description.clone()
        },
        cvss: new.cvss.or(old.cvss),
        // Version bounds win over bare product names, whichever file came last.
        matches: if keep_old {
            old.matches.clone()
        } else {
            new.matches.clone()
        },
        versions_known: if keep_old {
            old.versions_known
        } else {
            new.versions_known
        },
        kev,
    }
}

/// Lower-cases a vendor or product name as typed and joins words with `_`, the way CPE names do,
/// leaving out company suffixes.
pub fn normalise(name: &str) -> String {
    let lower = name.trim().to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| c.is_whitespace() || c == ',' || c == '_')
        .filter(|w| !w.is_empty())
        .filter(|w| {
            !matches!(
                *w,
                "inc"
                    | "inc."
                    | "corp"
                    | "corp."
                    | "corporation"
                    | "ltd"
                    | "ltd."
                    | "co."
                    | "llc"
                    | "株式会社"
            )
        })
        .collect();
    words.join("_")
}

/// Product names people type for appliances, and the CPE vendor and product whose firmware they
/// run: (vendor the typed name must come with, or any; typed product; CPE vendor; CPE product).
/// Matched on the start of the canonical product, so a model number may follow.
const ALIASES: &[(&str, &str, &str, &str)] = &[
    ("", "fortigate", "fortinet", "fortios"),
    ("", "fortios", "fortinet", "fortios"),
    ("", "fortiproxy", "fortinet", "fortiproxy"),
    ("", "pulse_connect_secure", "ivanti", "connect_secure"),
    ("", "pulse_secure", "ivanti", "connect_secure"),
    ("", "ivanti_connect_secure", "ivanti", "connect_secure"),
    ("", "connect_secure", "ivanti", "connect_secure"),
    (
        "",
        "netscaler_adc",
        "citrix",
        "netscaler_application_delivery_controller",
    ),
    ("", "netscaler_gateway", "citrix", "netscaler_gateway"),
    (
        "",
        "citrix_adc",
        "citrix",
        "application_delivery_controller_firmware",
    ),
    ("", "big_ip_apm", "f5", "big-ip_access_policy_manager"),
    ("", "big_ip_ltm", "f5", "big-ip_local_traffic_manager"),
    (
        "",
        "windows_server_2008",
        "microsoft",
        "windows_server_2008",
    ),
    ("", "windows_7", "microsoft", "windows_7"),
    ("", "junos", "juniper", "junos"),
    // Palo Alto firewalls are typed by model (PA-440, PA-3220); they all run PAN-OS.
    ("paloaltonetworks", "pa_", "paloaltonetworks", "pan-os"),
    ("", "pan_os", "paloaltonetworks", "pan-os"),
    // SonicWall's SMA 100 series (SMA 200/210/400/410/500v) is often typed as the series.
    ("sonicwall", "sma_100", "sonicwall", "sma_100_firmware"),
];

/// Whether a canonical product begins with a typed alias. A model number may follow a name
/// (`fortigate60f`), but a number must not run on into a longer one (`sma_100` is not `sma_1000`).
fn starts_with_name(product: &str, alias: &str) -> bool {
    let Some(rest) = product.strip_prefix(alias) else {
        return false;
    };
    let ends_in_digit = alias.chars().last().is_some_and(|c| c.is_ascii_digit());
    !(ends_in_digit && rest.chars().next().is_some_and(|c| c.is_ascii_digit()))
}

/// What a ledger row says about a device, for matching.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceIdentity {
    /// Vendor as typed.
    pub vendor: String,
    /// Product as typed (model numbers allowed).
    pub product: String,
    /// Version or firmware as typed.
    pub version: String,
    /// A CPE 2.3 name, when the ledger has one: it wins over the words.
    pub cpe: Option<String>,
}

impl DeviceIdentity {
    /// The canonical (vendor, product) keys to look up: from the CPE, else the words and their
    /// aliases.
    pub fn keys(&self) -> Vec<(String, String)> {
        if let Some(c) = self.cpe.as_deref().and_then(parse_cpe) {
            return vec![(canon(&c.vendor), canon(&c.product))];
        }
        let vendor = canon(&normalise(&self.vendor));
        let product = canon(&normalise(&self.product));
        let mut keys = vec![(vendor.clone(), product.clone())];
        // CPE vendor names often drop the spaces people type ("Rockwell Automation" →
        // rockwellautomation, "Palo Alto Networks" → paloaltonetworks).
        let joined = vendor.replace('_', "");
        keys.push((joined.clone(), product.clone()));
        // The version field often names the system the device runs ("Junos 15.1R2" on an
        // MX104, "FortiOS 6.0.4" on a FortiGate): that name finds the system's records too.
        let typed = self.version.trim();
        let system = canon(&normalise(
            typed
                .find(|c: char| c.is_ascii_digit())
                .and_then(|at| typed.get(..at))
                .unwrap_or(""),
        ));
        let system = system.trim_matches('_');
        if !system.is_empty() && self.cpe.is_none() {
            keys.push((vendor.clone(), system.to_string()));
            keys.push((joined.clone(), system.to_string()));
        }
        // "FortiOS" typed as vendor-prefixed product ("Fortinet FortiOS") still finds its key.
        if let Some(rest) = product.strip_prefix(&format!("{vendor}_")) {
            keys.push((vendor.clone(), rest.to_string()));
        }
        for (with_vendor, typed, v, p) in ALIASES {
            let vendor_fits = with_vendor.is_empty() || *with_vendor == joined;
            if vendor_fits && keys.iter().any(|(_, k)| starts_with_name(k, typed)) {
                keys.push((canon(v), canon(p)));
            }
        }
        keys.sort();
        keys.dedup();
        keys
    }

    /// The product as a canonical name, and whether it names a model (has a model number):
    /// `PA-440`, `SMA 210`, `FortiGate 60F` do; `Junos OS`, `FortiGate` do not.
    pub fn model(&self) -> (String, bool) {
        let product = match self.cpe.as_deref().and_then(parse_cpe) {
            Some(c) => canon(&c.product),
            None => canon(&normalise(&self.product)),
        };
        let is_model = product.chars().any(|c| c.is_ascii_digit());
        (product, is_model)
    }

    /// The version to compare: the CPE's (with its update) or the typed one, without a product
    /// word people put before it (`FortiOS 6.0.4`, `v7.0.12`, `Ver.2.1`).
    pub fn version(&self) -> String {
        match self.cpe.as_deref().and_then(parse_cpe) {
            Some(c) if given(&c.update) => format!("{} {}", c.version, c.update),
            Some(c) if given(&c.version) => c.version,
            Some(_) => String::new(),
            None => {
                let typed = self.version.trim();
                typed
                    .find(|c: char| c.is_ascii_digit())
                    .map_or("", |at| typed.get(at..).unwrap_or(""))
                    .to_string()
            }
        }
    }
}

/// How sure a match is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Certainty {
    /// Vendor and product match; the version could not be checked (none typed, none listed,
    /// or KEV only).
    ProductOnly,
    /// The version falls in an affected range.
    VersionMatched,
}

/// Vulnerabilities indexed by canonical (vendor, product) for fast matching.
#[derive(Debug, Default)]
pub struct VulnIndex {
    vulns: Vec<Vulnerability>,
    by_key: HashMap<(String, String), Vec<usize>>,
}

impl VulnIndex {
    /// Builds the index.
    pub fn new(vulns: Vec<Vulnerability>) -> VulnIndex {
        let mut by_key: HashMap<(String, String), Vec<usize>> = HashMap::new();
        for (i, v) in vulns.iter().enumerate() {
            let mut keys: Vec<(String, String)> =
                v.matches.iter().flat_map(CpeMatch::names).collect();
            if let Some(k) = &v.kev
                && v.matches.is_empty()
                && !k.vendor.is_empty()
            {
                keys.push((canon(&normalise(&k.vendor)), canon(&normalise(&k.product))));
            }
            keys.sort();
            keys.dedup();
            for k in keys {
                by_key.entry(k).or_default().push(i);
            }
        }
        VulnIndex { vulns, by_key }
    }

    /// How many vulnerabilities it holds.
    pub fn len(&self) -> usize {
        self.vulns.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.vulns.is_empty()
    }

    /// The vulnerabilities affecting a device, with how sure each match is and why it matched.
    pub fn matches(&self, d: &DeviceIdentity) -> Vec<(&Vulnerability, Certainty, Why)> {
        let version = d.version();
        let typed = d.model();
        let mut out: Vec<(&Vulnerability, Certainty, Why)> = Vec::new();
        for key in d.keys() {
            for &i in self.by_key.get(&key).map(Vec::as_slice).unwrap_or(&[]) {
                let Some(v) = self.vulns.get(i) else { continue };
                if out.iter().any(|(o, _, _)| o.cve == v.cve) {
                    continue;
                }
                if let Some((c, why)) = judge(v, &key, &version, &typed) {
                    out.push((v, c, why));
                }
            }
        }
        out
    }
}

/// Whether a vulnerability affects a device found under `key` at `version`, and why: a version
/// in a listed range wins over a product-only match. A match that holds only on some hardware
/// (an AND configuration) applies when the device is found by that hardware's name, is left
/// unchecked when the ledger names no model, and does not apply to another model.
fn judge(
    v: &Vulnerability,
    key: &(String, String),
    version: &str,
    (typed, is_model): &(String, bool),
) -> Option<(Certainty, Why)> {
    let relevant: Vec<&CpeMatch> = v
        .matches
        .iter()
        .filter(|m| m.names().contains(key))
        .collect();
    let why = |m: &CpeMatch, rule: Rule| {
        let own = (canon(&m.cpe.vendor), canon(&m.cpe.product));
        let bare = own.1.strip_suffix("_firmware").map(str::to_string);
        Why {
            cpe: m.criteria(),
            rule,
            via_hardware: (own != *key && bare.as_deref() != Some(key.1.as_str()))
                .then(|| key.1.clone()),
        }
    };
    let Some(first) = relevant.first() else {
        // Found by KEV's vendor and product words, without any CPE.
        let k = v.kev.as_ref()?;
        return Some((
            Certainty::ProductOnly,
            Why {
                cpe: format!("{} {}", k.vendor, k.product),
                rule: Rule::KevName,
                via_hardware: None,
            },
        ));
    };
    if !v.versions_known {
        return Some((Certainty::ProductOnly, why(first, Rule::NotVersioned)));
    }
    if version.is_empty() {
        return Some((Certainty::ProductOnly, why(first, Rule::NoVersionTyped)));
    }
    let mut best: Option<(Certainty, Why)> = None;
    for m in &relevant {
        let Some(rule) = m.rule_met(version) else {
            continue;
        };
        let on_platform = m.platforms.is_empty()
            || m.platforms
                .iter()
                .any(|(pv, pp)| (canon(pv), canon(pp)) == *key || canon(pp) == *typed);
        let (certainty, rule) = if on_platform {
            let c = if rule == Rule::AnyVersion {
                Certainty::ProductOnly
            } else {
                Certainty::VersionMatched
            };
            (c, rule)
        } else if *is_model {
            // Another model than the record's hardware: this configuration does not apply.
            continue;
        } else {
            let hardware = m.platforms.iter().take(3).map(|(_, p)| p.clone()).collect();
            (
                Certainty::ProductOnly,
                Rule::OnlyOnHardware {
                    met: Box::new(rule),
                    hardware,
                },
            )
        };
        if best.as_ref().is_none_or(|(c, _)| certainty > *c) {
            best = Some((certainty, why(m, rule)));
        }
    }
    best
}

/// What findings are ordered by (see `risk_rank`).
pub type RiskRank = (bool, bool, bool, bool, u32);

/// The order of findings: known-exploited first, then internet-facing, then known ransomware use,
/// then a confirmed version, then the CVSS score. Higher sorts first.
pub fn risk_rank(
    v: &Vulnerability,
    internet_facing: bool,
    certainty: Certainty,
) -> (bool, bool, bool, bool, u32) {
    (
        v.kev.is_some(),
        internet_facing,
        v.kev.as_ref().is_some_and(|k| k.ransomware),
        certainty == Certainty::VersionMatched,
        // Scores have one decimal: ×10 keeps the order exact without floats.
        v.cvss.map(|s| (s * 10.0).round() as u32).unwrap_or(0),
    )
}

/// A vulnerability found on a device.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The device (its id in the ledger).
    pub device_id: uuid::Uuid,
    /// The device's name.
    pub device: String,
    /// The device is reachable from the internet.
    pub internet_facing: bool,
    /// The CVE.
    pub cve: String,
    /// Known exploited (KEV).
    pub kev: bool,
    /// Known ransomware use.
    pub ransomware: bool,
    /// CISA's due date, when in KEV.
    pub kev_due: String,
    /// CVSS v3 base score.
    pub cvss: Option<f32>,
    /// How sure the match is.
    pub certainty: Certainty,
    /// Why it matched: which CPE, which bound.
    pub why: Why,
    /// What it is (KEV name, else the description).
    pub summary: String,
}

/// Every finding on the devices, the riskiest first.
pub fn findings<'a>(
    devices: impl IntoIterator<Item = (uuid::Uuid, &'a str, bool, DeviceIdentity)>,
    index: &VulnIndex,
) -> Vec<Finding> {
    let mut out: Vec<(RiskRank, Finding)> = Vec::new();
    for (id, name, internet_facing, identity) in devices {
        for (v, certainty, why) in index.matches(&identity) {
            let summary = v
                .kev
                .as_ref()
                .map(|k| k.name.clone())
                .filter(|n| !n.is_empty())
                .unwrap_or_else(|| v.description.chars().take(200).collect());
            out.push((
                risk_rank(v, internet_facing, certainty),
                Finding {
                    device_id: id,
                    device: name.to_string(),
                    internet_facing,
                    cve: v.cve.clone(),
                    kev: v.kev.is_some(),
                    ransomware: v.kev.as_ref().is_some_and(|k| k.ransomware),
                    kev_due: v
                        .kev
                        .as_ref()
                        .map(|k| k.due_date.clone())
                        .unwrap_or_default(),
                    cvss: v.cvss,
                    certainty,
                    why,
                    summary,
                },
            ));
        }
    }
    out.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| a.1.device.cmp(&b.1.device))
            .then_with(|| a.1.cve.cmp(&b.1.cve))
    });
    out.into_iter().map(|(_, f)| f).collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, clippy::expect_used)]
mod tests {
    use super::*;

    const NVD: &[u8] = include_bytes!("../../../testdata/vuln/nvd-sample.json");
    const KEV: &[u8] = include_bytes!("../../../testdata/vuln/kev-slice.json");

    fn device(vendor: &str, product: &str, version: &str) -> DeviceIdentity {
        DeviceIdentity {
            vendor: vendor.into(),
            product: product.into(),
            version: version.into(),
            cpe: None,
        }
    }

    fn index() -> VulnIndex {
        let mut all: HashMap<String, Vulnerability> = HashMap::new();
        for v in read_feed(NVD)
            .unwrap()
            .into_iter()
            .chain(read_feed(KEV).unwrap())
        {
            let merged = match all.get(&v.cve) {
                Some(old) => merge(old, &v),
                None => v,
            };
            all.insert(merged.cve.clone(), merged);
        }
        VulnIndex::new(all.into_values().collect())
    }

    #[test]
    fn cpe_names_are_parsed_with_their_escapes() {
        let c =
            parse_cpe(r"cpe:2.3:a:siemens:logo\!_soft_comfort:12.6\(1\):*:*:*:*:*:*:*").unwrap();
        assert_eq!(c.product, "logo!_soft_comfort");
        assert_eq!(c.version, "12.6(1)");
        let c = parse_cpe("cpe:2.3:a:ivanti:connect_secure:8.2:r1.0:*:*:*:*:*:*").unwrap();
        assert_eq!((c.version.as_str(), c.update.as_str()), ("8.2", "r1.0"));
        assert!(parse_cpe("cpe:/a:vendor:product").is_none());
        assert!(parse_cpe("cpe:2.3:a:too:few").is_none());
    }

    #[test]
    fn versions_compare_as_vendors_write_them() {
        use Ordering::*;
        assert_eq!(compare_versions("6.0.4", "6.0.10"), Less);
        assert_eq!(compare_versions("17.9.4a", "17.9.4"), Greater);
        assert_eq!(compare_versions("22.6R2", "22.6 r2"), Equal);
        assert_eq!(compare_versions("11.1.2-h1", "11.1.2"), Greater);
        assert_eq!(compare_versions("13.1-49.13", "13.1-37.164"), Greater);
        assert_eq!(compare_versions("7.0", "7.0.0"), Less);
    }

    #[test]
    fn ranges_use_all_four_bounds() {
        let m = CpeMatch {
            cpe: parse_cpe("cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*").unwrap(),
            start_including: Some("6.0.0".into()),
            start_excluding: None,
            end_including: None,
            end_excluding: Some("6.0.5".into()),
            platforms: vec![],
        };
        assert!(m.covers("6.0.4") && m.covers("6.0.0"));
        assert!(!m.covers("6.0.5") && !m.covers("5.6.9"));
        let exact = CpeMatch {
            cpe: parse_cpe("cpe:2.3:a:ivanti:connect_secure:8.2:r1.0:*:*:*:*:*:*").unwrap(),
            start_including: None,
            start_excluding: None,
            end_including: None,
            end_excluding: None,
            platforms: vec![],
        };
        assert!(exact.covers("8.2R1.0") && !exact.covers("8.2R2"));
        // `-` is the release without any hotfix; `*` is the release with any update.
        let cpe = |s: &str| CpeMatch {
            cpe: parse_cpe(s).unwrap(),
            start_including: None,
            start_excluding: None,
            end_including: None,
            end_excluding: None,
            platforms: vec![],
        };
        let bare = cpe("cpe:2.3:o:paloaltonetworks:pan-os:11.1.2:-:*:*:*:*:*:*");
        assert!(bare.covers("11.1.2") && !bare.covers("11.1.2-h3"));
        let h1 = cpe("cpe:2.3:o:paloaltonetworks:pan-os:11.1.2:h1:*:*:*:*:*:*");
        assert!(h1.covers("11.1.2-h1") && !h1.covers("11.1.2-h3") && !h1.covers("11.1.2"));
        let any = cpe("cpe:2.3:o:juniper:junos:14.1:*:*:*:*:*:*:*");
        assert!(any.covers("14.1R5") && any.covers("14.1") && !any.covers("14.2"));
        assert_eq!(
            cpe("cpe:2.3:o:sonicwall:sma_210_firmware:-:*:*:*:*:*:*:*").rule_met("10.2.1.3-27sv"),
            Some(Rule::AnyVersion)
        );
    }

    #[test]
    fn the_real_feeds_are_read_and_merged() {
        let nvd = read_feed(NVD).unwrap();
        assert_eq!(nvd.len(), 12);
        let handa = nvd.iter().find(|v| v.cve == "CVE-2018-13379").unwrap();
        assert!(handa.kev.is_some() && handa.cvss == Some(9.8));
        assert!(handa.matches.iter().any(|m| m.cpe.product == "fortios"));
        let kev = read_feed(KEV).unwrap();
        assert!(kev.iter().all(|v| v.kev.is_some()));
        assert_eq!(read_feed(b"{\"hello\": 1}"), Err(FeedError::Unknown));
        assert!(matches!(read_feed(b"{not json"), Err(FeedError::Shape(_))));
    }

    #[test]
    fn a_typed_fortigate_on_an_old_fortios_meets_the_handa_vulnerability() {
        let idx = index();
        let found = idx.matches(&device("Fortinet", "FortiGate 60F", "6.0.4"));
        let handa = found
            .iter()
            .find(|(v, _, _)| v.cve == "CVE-2018-13379")
            .expect("CVE-2018-13379");
        assert_eq!(handa.1, Certainty::VersionMatched);
        let patched = idx.matches(&device("Fortinet", "FortiGate 60F", "6.0.5"));
        assert!(!patched.iter().any(|(v, _, _)| v.cve == "CVE-2018-13379"));
        let unknown = idx.matches(&device("Fortinet", "FortiGate", ""));
        assert!(
            unknown
                .iter()
                .any(|(v, c, _)| v.cve == "CVE-2018-13379" && *c == Certainty::ProductOnly)
        );
        assert!(
            idx.matches(&device("Canon", "iR-ADV C5560", "1.0"))
                .is_empty()
        );
    }

    #[test]
    fn release_suffixes_typed_by_people_match_cpe_updates() {
        let idx = index();
        let found = idx.matches(&device("Pulse Secure", "Pulse Connect Secure", "8.2R1.0"));
        assert!(
            found
                .iter()
                .any(|(v, c, _)| v.cve == "CVE-2019-11510" && *c == Certainty::VersionMatched)
        );
    }

    #[test]
    fn exploited_and_internet_facing_come_first() {
        let idx = index();
        let d = device("Fortinet", "FortiGate", "6.0.4");
        let mut found: Vec<_> = idx
            .matches(&d)
            .into_iter()
            .map(|(v, c, _)| (risk_rank(v, true, c), v.cve.clone()))
            .collect();
        found.sort_by_key(|f| std::cmp::Reverse(f.0));
        assert!(found.first().unwrap().0.0, "a KEV entry leads");
        let not_kev = VulnIndex::new(vec![]);
        assert!(not_kev.is_empty());
    }

    #[test]
    fn a_vpn_appliance_with_a_kev_entry_tops_the_list() {
        let idx = index();
        let ids: Vec<uuid::Uuid> = (0..3).map(|_| uuid::Uuid::new_v4()).collect();
        let list = findings(
            vec![
                (
                    ids[0],
                    "社内サーバ",
                    false,
                    device("Juniper", "Junos", "12.1X46-D10"),
                ),
                (
                    ids[1],
                    "VPN装置",
                    true,
                    device("Fortinet", "FortiGate 60F", "6.0.4"),
                ),
                (
                    ids[2],
                    "院内FW",
                    false,
                    device("Fortinet", "FortiGate", "6.0.4"),
                ),
            ],
            &idx,
        );
        let first = list.first().expect("findings");
        assert_eq!((first.device.as_str(), first.kev), ("VPN装置", true));
        let juniper = list
            .iter()
            .position(|f| f.device == "社内サーバ")
            .expect("junos finding");
        let inside = list
            .iter()
            .position(|f| f.device == "院内FW")
            .expect("inside");
        assert!(inside < juniper, "exploited before merely known");
    }

    #[test]
    fn jvn_ipedia_entries_name_products_without_versions() {
        let jvn = read_feed(include_bytes!(
            "../../../testdata/vuln/jvn-overview-oka.json"
        ))
        .unwrap();
        assert_eq!(jvn.len(), 2);
        let rockwell = jvn.iter().find(|v| v.cve == "CVE-2025-23120").unwrap();
        assert!(!rockwell.versions_known);
        assert!(
            rockwell
                .matches
                .iter()
                .any(|m| m.cpe.product == "versavirtual_appliance_(vva)_with_veeam")
        );
        let idx = VulnIndex::new(jvn);
        let found = idx.matches(&device(
            "Rockwell Automation",
            "VersaVirtual Appliance (VVA) with Veeam",
            "12.1",
        ));
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].1,
            Certainty::ProductOnly,
            "JVN gives no versions to confirm"
        );
        // NVD's version bounds are kept when a JVN record of the same CVE comes later.
        let nvd = read_feed(NVD)
            .unwrap()
            .into_iter()
            .find(|v| v.cve == "CVE-2018-13379")
            .unwrap();
        let bare = Vulnerability {
            versions_known: false,
            kev: None,
            ..nvd.clone()
        };
        let merged = merge(
            &nvd,
            &Vulnerability {
                matches: vec![bare.matches[0].clone()],
                ..bare
            },
        );
        assert!(merged.versions_known && merged.matches == nvd.matches);
    }
}
