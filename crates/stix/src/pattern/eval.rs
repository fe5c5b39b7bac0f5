//! Evaluating a pattern against observations: each observation is a set of cyber-observables seen
//! together (an observed-data's objects, or what one log line shows) with when it was seen and how
//! often. Comparisons follow STIX 2.1 §9.7; qualifiers and FOLLOWEDBY look at the observations'
//! times.

use super::{Comparison, Expression, Literal, Op, Pattern, Qualifier, Step, Test};
use crate::Timestamp;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use std::net::IpAddr;

/// What was observed together.
#[derive(Debug, Clone, Default)]
pub struct Observation {
    /// The observables by id (references between them are followed).
    pub objects: Map<String, Value>,
    /// First seen (none: the time does not matter).
    pub first: Option<DateTime<Utc>>,
    /// Last seen.
    pub last: Option<DateTime<Utc>>,
}

impl Observation {
    /// An observation of these objects, their ids taken from their `id`.
    pub fn of(objects: impl IntoIterator<Item = Value>) -> Observation {
        let objects = objects
            .into_iter()
            .filter_map(|o| Some((o.get("id")?.as_str()?.to_string(), o)))
            .collect();
        Observation {
            objects,
            ..Observation::default()
        }
    }

    /// The same, seen between these times.
    pub fn seen(mut self, first: DateTime<Utc>, last: DateTime<Utc>) -> Observation {
        self.first = Some(first);
        self.last = Some(last);
        self
    }
}

/// A match's time span (first, last), over the observations it used.
type Span = (DateTime<Utc>, DateTime<Utc>);

/// More combinations than this of two sides' matches are not tried: a pattern must not make a
/// scan quadratic without bound.
const MAX_SPANS: usize = 10_000;

impl Pattern {
    /// Whether these observations match the pattern.
    pub fn matches(&self, observations: &[Observation]) -> bool {
        !spans(&self.root, observations).is_empty()
    }
}

fn spans(e: &Expression, obs: &[Observation]) -> Vec<Span> {
    match e {
        Expression::Observation(c) => obs
            .iter()
            .filter(|o| holds(c, o))
            .map(|o| {
                let first = o.first.unwrap_or(DateTime::<Utc>::MIN_UTC);
                (first, o.last.unwrap_or(first))
            })
            .collect(),
        Expression::Or(a, b) => {
            let mut s = spans(a, obs);
            s.extend(spans(b, obs));
            s.truncate(MAX_SPANS);
            s
        }
        Expression::And(a, b) => pairs(&spans(a, obs), &spans(b, obs), |_, _| true),
        Expression::FollowedBy(a, b) => pairs(&spans(a, obs), &spans(b, obs), |x, y| x.1 <= y.0),
        Expression::Qualified(x, q) => {
            let inner = spans(x, obs);
            match q {
                Qualifier::Within(secs) => inner
                    .into_iter()
                    .filter(|(f, l)| ((*l - *f).num_milliseconds() as f64) <= secs * 1000.0)
                    .collect(),
                Qualifier::StartStop(start, stop) => {
                    // A time the calendar does not have (02-30) bounds nothing: no match.
                    let (Ok(start), Ok(stop)) = (Timestamp::parse(start), Timestamp::parse(stop))
                    else {
                        return Vec::new();
                    };
                    inner
                        .into_iter()
                        .filter(|(f, l)| *f >= start.at() && *l < stop.at())
                        .collect()
                }
                Qualifier::Repeats(n) => {
                    let n = usize::try_from(*n).unwrap_or(usize::MAX);
                    let mut sorted = inner;
                    sorted.sort();
                    // Every run of n matches in time order, as one span.
                    sorted
                        .windows(n.max(1))
                        .filter(|w| w.len() == n)
                        .filter_map(|w| Some((w.first()?.0, w.iter().map(|s| s.1).max()?)))
                        .collect()
                }
            }
        }
    }
}

fn pairs(a: &[Span], b: &[Span], keep: impl Fn(&Span, &Span) -> bool) -> Vec<Span> {
    let mut out = Vec::new();
    for x in a {
        for y in b {
            if keep(x, y) {
                out.push((x.0.min(y.0), x.1.max(y.1)));
                if out.len() >= MAX_SPANS {
                    return out;
                }
            }
        }
    }
    out
}

/// Whether one observation shows what the comparisons ask.
fn holds(c: &Comparison, o: &Observation) -> bool {
    match c {
        Comparison::And(a, b) => holds(a, o) && holds(b, o),
        Comparison::Or(a, b) => holds(a, o) || holds(b, o),
        Comparison::Test(t) => o
            .objects
            .values()
            .filter(|obj| {
                obj.get("type").and_then(Value::as_str) == Some(t.path.object_type.as_str())
            })
            .any(|obj| test(t, obj, o)),
    }
}

/// The values a path reaches from an object, following `_ref`/`_refs` into the observation.
fn resolve<'a>(obj: &'a Value, steps: &[Step], o: &'a Observation) -> Vec<&'a Value> {
    let mut current = vec![obj];
    let mut after_ref = false;
    for (k, step) in steps.iter().enumerate() {
        let mut next = Vec::new();
        for v in current {
            // A step after a reference walks into the object referred to.
            let v = match (after_ref, v.as_str()) {
                (true, Some(id)) => match o.objects.get(id) {
                    Some(target) => target,
                    None => continue,
                },
                _ => v,
            };
            match step {
                Step::Key(k) => next.extend(v.get(k.as_str())),
                Step::Index(i) => {
                    if let (Some(items), Ok(i)) = (v.as_array(), usize::try_from(*i)) {
                        next.extend(items.get(i));
                    }
                }
                Step::Any => next.extend(v.as_array().into_iter().flatten()),
            }
        }
        let key_ends = |suffix: &str, at: Option<usize>| {
            at.and_then(|i| steps.get(i))
                .is_some_and(|s| matches!(s, Step::Key(key) if key.ends_with(suffix)))
        };
        after_ref = key_ends("_ref", Some(k))
            || (matches!(step, Step::Index(_) | Step::Any) && key_ends("_refs", k.checked_sub(1)));
        current = next;
    }
    current
}

fn test(t: &Test, obj: &Value, o: &Observation) -> bool {
    let values = resolve(obj, &t.path.steps, o);
    if t.op == Op::Exists {
        return !values.is_empty();
    }
    let Some(literal) = &t.value else {
        return false;
    };
    // NOT negates the comparison on a value that is there; a missing property matches nothing.
    values
        .into_iter()
        .any(|v| compare(t.op, v, literal).is_some_and(|r| r != t.negated))
}

/// The comparison of one value; none when the two cannot be compared (then it does not match,
/// negated or not).
fn compare(op: Op, v: &Value, l: &Literal) -> Option<bool> {
    use std::cmp::Ordering;
    let order = || -> Option<Ordering> {
        match (v, l) {
            (Value::String(s), Literal::Str(x)) => Some(s.as_str().cmp(x.as_str())),
            (Value::String(s), Literal::Timestamp(x)) => Some(
                Timestamp::parse(s)
                    .ok()?
                    .at()
                    .cmp(&Timestamp::parse(x).ok()?.at()),
            ),
            (Value::String(s), Literal::Hex(x)) => Some(s.to_lowercase().cmp(&x.to_lowercase())),
            (Value::String(s), Literal::Binary(x)) => Some(s.as_str().cmp(x.as_str())),
            (Value::Number(n), Literal::Int(x)) => n.as_f64()?.partial_cmp(&(*x as f64)),
            (Value::Number(n), Literal::Float(x)) => n.as_f64()?.partial_cmp(x),
            (Value::Bool(b), Literal::Bool(x)) => Some(b.cmp(x)),
            _ => None,
        }
    };
    Some(match op {
        Op::Eq => order()? == Ordering::Equal,
        Op::Ne => order()? != Ordering::Equal,
        Op::Gt => order()? == Ordering::Greater,
        Op::Lt => order()? == Ordering::Less,
        Op::Ge => order()? != Ordering::Less,
        Op::Le => order()? != Ordering::Greater,
        Op::In => match l {
            Literal::Set(items) => items.iter().any(|x| compare(Op::Eq, v, x) == Some(true)),
            _ => return None,
        },
        Op::Like => like(v.as_str()?, literal_str(l)?),
        Op::Matches => regex::Regex::new(literal_str(l)?)
            .ok()?
            .is_match(v.as_str()?),
        Op::IsSubset => within(v.as_str()?, literal_str(l)?)?,
        Op::IsSuperset => within(literal_str(l)?, v.as_str()?)?,
        Op::Exists => return None,
    })
}

fn literal_str(l: &Literal) -> Option<&str> {
    match l {
        Literal::Str(s) => Some(s),
        _ => None,
    }
}

/// SQL LIKE: `%` any run, `_` any one character, everything else itself.
fn like(text: &str, pattern: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    let p: Vec<char> = pattern.chars().collect();
    // Classic wildcard matching with one step of backtracking per `%`: linear in practice.
    let (mut i, mut j) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while i < t.len() {
        match p.get(j) {
            Some('%') => {
                star = Some((j, i));
                j += 1;
            }
            Some(c) if *c == '_' || t.get(i) == Some(c) => {
                i += 1;
                j += 1;
            }
            _ => match star {
                Some((sj, si)) => {
                    j = sj + 1;
                    i = si + 1;
                    star = Some((sj, si + 1));
                }
                None => return false,
            },
        }
    }
    p.get(j..)
        .is_some_and(|rest| rest.iter().all(|c| *c == '%'))
}

/// An address or CIDR block and the bits of its prefix.
fn block(s: &str) -> Option<(IpAddr, u32)> {
    let (addr, bits) = match s.split_once('/') {
        Some((a, b)) => (a.parse::<IpAddr>().ok()?, Some(b.parse::<u32>().ok()?)),
        None => (s.parse::<IpAddr>().ok()?, None),
    };
    let max = if addr.is_ipv4() { 32 } else { 128 };
    let bits = bits.unwrap_or(max);
    (bits <= max).then_some((addr, bits))
}

/// Whether block `inner` lies within block `outer` (same address family).
fn within(inner: &str, outer: &str) -> Option<bool> {
    let ((a, abits), (b, bbits)) = (block(inner)?, block(outer)?);
    let value = |ip: IpAddr| -> (u128, u32) {
        match ip {
            IpAddr::V4(v) => (u128::from(u32::from(v)), 32),
            IpAddr::V6(v) => (u128::from(v), 128),
        }
    };
    let ((av, width), (bv, other)) = (value(a), value(b));
    if width != other {
        return Some(false);
    }
    if abits < bbits {
        return Some(false);
    }
    let all = if width == 128 {
        u128::MAX
    } else {
        (1u128 << width) - 1
    };
    let mask = if bbits == 0 {
        0
    } else {
        (u128::MAX << (width - bbits)) & all
    };
    Some(av & mask == bv & mask)
}
