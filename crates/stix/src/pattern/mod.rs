//! STIX patterning (STIX 2.1 §9): parsed into a tree, checked as `stix2-patterns` checks it, and
//! evaluated against observed cyber-observables ([`eval`]).

mod eval;
mod lexer;

pub use eval::Observation;
use lexer::{Kind, Token, tokens};

/// A parsed pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// Its observation expressions.
    pub root: Expression,
}

/// An observation expression and how they combine.
#[derive(Debug, Clone, PartialEq)]
pub enum Expression {
    /// `[ … ]`: what one observation must show.
    Observation(Comparison),
    /// Both, in any observations.
    And(Box<Expression>, Box<Expression>),
    /// Either.
    Or(Box<Expression>, Box<Expression>),
    /// The first, then the second.
    FollowedBy(Box<Expression>, Box<Expression>),
    /// With a qualifier (WITHIN, REPEATS, START … STOP).
    Qualified(Box<Expression>, Qualifier),
}

/// A qualifier of an observation expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Qualifier {
    /// `WITHIN n SECONDS`.
    Within(f64),
    /// `REPEATS n TIMES`.
    Repeats(i64),
    /// `START t'…' STOP t'…'` (as written: the grammar checks their form, not the calendar).
    StartStop(String, String),
}

/// The comparisons inside one observation expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Comparison {
    /// Both hold.
    And(Box<Comparison>, Box<Comparison>),
    /// Either holds.
    Or(Box<Comparison>, Box<Comparison>),
    /// One test of a property.
    Test(Test),
}

/// One test: a path, an operator and a value (`file:hashes.'SHA-256' = '…'`).
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// What is tested.
    pub path: ObjectPath,
    /// `NOT` before the operator.
    pub negated: bool,
    /// The operator.
    pub op: Op,
    /// The value compared with (none for EXISTS).
    pub value: Option<Literal>,
}

/// Comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `=`.
    Eq,
    /// `!=`.
    Ne,
    /// `>`.
    Gt,
    /// `<`.
    Lt,
    /// `>=`.
    Ge,
    /// `<=`.
    Le,
    /// `IN ( … )`.
    In,
    /// `LIKE '…'` (SQL wildcards).
    Like,
    /// `MATCHES '…'` (a regular expression).
    Matches,
    /// `ISSUBSET '…'` (an address in a CIDR block).
    IsSubset,
    /// `ISSUPERSET '…'`.
    IsSuperset,
    /// `EXISTS`.
    Exists,
}

/// A path into an object: `network-traffic:dst_ref.value`.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectPath {
    /// The object type.
    pub object_type: String,
    /// The steps from the object.
    pub steps: Vec<Step>,
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// A property.
    Key(String),
    /// An index into a list.
    Index(i64),
    /// Any element of a list (`[*]`).
    Any,
}

/// A literal.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `'…'`.
    Str(String),
    /// An integer.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
    /// `true`, `false`.
    Bool(bool),
    /// `t'…'`, as written (the grammar checks its form, not the calendar: `02-30` passes).
    Timestamp(String),
    /// `b'…'`.
    Binary(String),
    /// `h'…'`.
    Hex(String),
    /// `( … )` after IN.
    Set(Vec<Literal>),
}

/// Why a pattern was refused: where, and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("at {at}: {message}")]
pub struct PatternError {
    /// The byte offset.
    pub at: usize,
    /// What is wrong.
    pub message: String,
}

fn error(at: usize, message: impl Into<String>) -> PatternError {
    PatternError {
        at,
        message: message.into(),
    }
}

/// How deep parentheses may nest: deeper is refused rather than risking the stack.
const MAX_DEPTH: usize = 64;

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
    end: usize,
    depth: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Kind> {
        self.tokens.get(self.pos).map(|t| &t.kind)
    }

    fn at(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |t| t.at)
    }

    fn next(&mut self) -> Option<Kind> {
        let t = self.tokens.get(self.pos).map(|t| t.kind.clone());
        self.pos += 1;
        t
    }

    fn is(&self, k: &Kind) -> bool {
        self.peek() == Some(k)
    }

    fn eat(&mut self, k: &Kind) -> bool {
        if self.is(k) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, k: &Kind, what: &str) -> Result<(), PatternError> {
        if self.eat(k) {
            Ok(())
        } else {
            Err(error(self.at(), format!("expected {what}")))
        }
    }

    fn deeper(&mut self) -> Result<(), PatternError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error(self.at(), "nested too deeply"));
        }
        Ok(())
    }

    fn binary<T>(
        &mut self,
        keyword: &'static str,
        mut operand: impl FnMut(&mut Self) -> Result<T, PatternError>,
        join: impl Fn(Box<T>, Box<T>) -> T,
    ) -> Result<T, PatternError> {
        let mut left = operand(self)?;
        while self.eat(&Kind::Keyword(keyword)) {
            let right = operand(self)?;
            left = join(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn followed_by(&mut self) -> Result<Expression, PatternError> {
        self.binary("FOLLOWEDBY", Self::or, Expression::FollowedBy)
    }

    fn or(&mut self) -> Result<Expression, PatternError> {
        self.binary("OR", Self::and, Expression::Or)
    }

    fn and(&mut self) -> Result<Expression, PatternError> {
        self.binary("AND", Self::qualified, Expression::And)
    }

    fn qualified(&mut self) -> Result<Expression, PatternError> {
        let mut e = self.observation()?;
        loop {
            let q = match self.peek() {
                Some(Kind::Keyword("WITHIN")) => {
                    self.pos += 1;
                    let n = match self.next() {
                        Some(Kind::Int(n)) if n >= 0 => n as f64,
                        Some(Kind::Float(f)) if f >= 0.0 => f,
                        _ => return Err(error(self.at(), "WITHIN needs a number of seconds")),
                    };
                    self.expect(&Kind::Keyword("SECONDS"), "SECONDS")?;
                    Qualifier::Within(n)
                }
                Some(Kind::Keyword("REPEATS")) => {
                    self.pos += 1;
                    let n = match self.next() {
                        Some(Kind::Int(n)) if n >= 0 => n,
                        _ => return Err(error(self.at(), "REPEATS needs a whole number")),
                    };
                    self.expect(&Kind::Keyword("TIMES"), "TIMES")?;
                    Qualifier::Repeats(n)
                }
                Some(Kind::Keyword("START")) => {
                    self.pos += 1;
                    let start = self.timestamp()?;
                    self.expect(&Kind::Keyword("STOP"), "STOP")?;
                    let stop = self.timestamp()?;
                    Qualifier::StartStop(start, stop)
                }
                _ => return Ok(e),
            };
            e = Expression::Qualified(Box::new(e), q);
        }
    }

    fn timestamp(&mut self) -> Result<String, PatternError> {
        let at = self.at();
        match self.next() {
            Some(Kind::Timestamp(t)) if timestamp_form(&t) => Ok(t),
            _ => Err(error(
                at,
                "expected a timestamp t'YYYY-MM-DDTHH:MM:SS[.s+]Z'",
            )),
        }
    }

    fn observation(&mut self) -> Result<Expression, PatternError> {
        if self.eat(&Kind::Punct("[")) {
            let c = self.comparison()?;
            self.expect(&Kind::Punct("]"), "]")?;
            return Ok(Expression::Observation(c));
        }
        if self.eat(&Kind::Punct("(")) {
            self.deeper()?;
            let e = self.followed_by()?;
            self.depth -= 1;
            self.expect(&Kind::Punct(")"), ")")?;
            return Ok(e);
        }
        Err(error(self.at(), "expected [ or ("))
    }

    fn comparison(&mut self) -> Result<Comparison, PatternError> {
        self.binary(
            "OR",
            |p| p.binary("AND", Self::test, Comparison::And),
            Comparison::Or,
        )
    }

    fn test(&mut self) -> Result<Comparison, PatternError> {
        if self.eat(&Kind::Punct("(")) {
            self.deeper()?;
            let c = self.comparison()?;
            self.depth -= 1;
            self.expect(&Kind::Punct(")"), ")")?;
            return Ok(c);
        }
        if self.eat(&Kind::Keyword("EXISTS")) {
            let path = self.path()?;
            return Ok(Comparison::Test(Test {
                path,
                negated: false,
                op: Op::Exists,
                value: None,
            }));
        }
        let path = self.path()?;
        let negated = self.eat(&Kind::Keyword("NOT"));
        let at = self.at();
        let op = match self.next() {
            Some(Kind::Punct("=")) => Op::Eq,
            Some(Kind::Punct("!=")) => Op::Ne,
            Some(Kind::Punct(">")) => Op::Gt,
            Some(Kind::Punct("<")) => Op::Lt,
            Some(Kind::Punct(">=")) => Op::Ge,
            Some(Kind::Punct("<=")) => Op::Le,
            Some(Kind::Keyword("IN")) => Op::In,
            Some(Kind::Keyword("LIKE")) => Op::Like,
            Some(Kind::Keyword("MATCHES")) => Op::Matches,
            Some(Kind::Keyword("ISSUBSET")) => Op::IsSubset,
            Some(Kind::Keyword("ISSUPERSET")) => Op::IsSuperset,
            _ => return Err(error(at, "expected a comparison operator")),
        };
        let at = self.at();
        let value = match op {
            Op::In => self.set()?,
            Op::Like | Op::Matches | Op::IsSubset | Op::IsSuperset => match self.next() {
                Some(Kind::Str(s)) => Literal::Str(s),
                _ => return Err(error(at, "expected a quoted text")),
            },
            _ => {
                let l = self.literal()?;
                let orderable = !matches!(l, Literal::Bool(_));
                if matches!(op, Op::Gt | Op::Lt | Op::Ge | Op::Le) && !orderable {
                    return Err(error(at, "true and false cannot be ordered"));
                }
                l
            }
        };
        Ok(Comparison::Test(Test {
            path,
            negated,
            op,
            value: Some(value),
        }))
    }

    fn set(&mut self) -> Result<Literal, PatternError> {
        self.expect(&Kind::Punct("("), "(")?;
        let mut items = Vec::new();
        if self.eat(&Kind::Punct(")")) {
            return Ok(Literal::Set(items));
        }
        loop {
            items.push(self.literal()?);
            if self.eat(&Kind::Punct(")")) {
                return Ok(Literal::Set(items));
            }
            self.expect(&Kind::Punct(","), ", or )")?;
        }
    }

    fn literal(&mut self) -> Result<Literal, PatternError> {
        let at = self.at();
        Ok(match self.next() {
            Some(Kind::Str(s)) => Literal::Str(s),
            Some(Kind::Int(n)) => Literal::Int(n),
            Some(Kind::Float(f)) => Literal::Float(f),
            Some(Kind::Bool(b)) => Literal::Bool(b),
            Some(Kind::Timestamp(t)) if timestamp_form(&t) => Literal::Timestamp(t),
            Some(Kind::Binary(b)) if base64_like(&b) => Literal::Binary(b),
            Some(Kind::Hex(h))
                if h.len().is_multiple_of(2) && h.bytes().all(|c| c.is_ascii_hexdigit()) =>
            {
                Literal::Hex(h)
            }
            _ => return Err(error(at, "expected a value")),
        })
    }

    fn path(&mut self) -> Result<ObjectPath, PatternError> {
        let at = self.at();
        let object_type = match self.next() {
            Some(Kind::Name(n)) => n,
            _ => return Err(error(at, "expected an object type")),
        };
        self.expect(&Kind::Punct(":"), ":")?;
        let at = self.at();
        let first = match self.next() {
            Some(Kind::Name(n)) if !n.contains('-') => n,
            Some(Kind::Str(s)) => s,
            _ => return Err(error(at, "expected a property name")),
        };
        let mut steps = vec![Step::Key(first)];
        loop {
            if self.eat(&Kind::Punct(".")) {
                let at = self.at();
                match self.next() {
                    Some(Kind::Name(n)) if !n.contains('-') => steps.push(Step::Key(n)),
                    Some(Kind::Str(s)) => steps.push(Step::Key(s)),
                    _ => return Err(error(at, "expected a property name")),
                }
            } else if self.eat(&Kind::Punct("[")) {
                let at = self.at();
                match self.next() {
                    Some(Kind::Int(n)) => steps.push(Step::Index(n)),
                    Some(Kind::Punct("*")) => steps.push(Step::Any),
                    _ => return Err(error(at, "expected an index or *")),
                }
                self.expect(&Kind::Punct("]"), "]")?;
            } else {
                return Ok(ObjectPath { object_type, steps });
            }
        }
    }
}

/// The form the grammar gives a timestamp literal: fields in range, not checked against the
/// calendar.
fn timestamp_form(t: &str) -> bool {
    let Some(body) = t.strip_suffix('Z') else {
        return false;
    };
    let (main, fraction) = body.split_once('.').unwrap_or((body, "0"));
    let field = |from: usize, to: usize, low: u32, high: u32| {
        main.get(from..to)
            .filter(|s| s.bytes().all(|c| c.is_ascii_digit()))
            .and_then(|s| s.parse::<u32>().ok())
            .is_some_and(|n| (low..=high).contains(&n))
    };
    main.len() == 19
        && main.get(4..5) == Some("-")
        && main.get(7..8) == Some("-")
        && main.get(10..11) == Some("T")
        && main.get(13..14) == Some(":")
        && main.get(16..17) == Some(":")
        && field(0, 4, 0, 9999)
        && field(5, 7, 1, 12)
        && field(8, 10, 1, 31)
        && field(11, 13, 0, 23)
        && field(14, 16, 0, 59)
        && field(17, 19, 0, 60)
        && !fraction.is_empty()
        && fraction.bytes().all(|c| c.is_ascii_digit())
}

fn base64_like(b: &str) -> bool {
    let body = b.trim_end_matches('=');
    b.len().is_multiple_of(4)
        && b.len() - body.len() <= 2
        && body
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/')
}

impl Pattern {
    /// Parses and checks a pattern: the grammar, then the rules `stix2-patterns` adds (one
    /// qualifier of each kind on an observation, hashes of the right form).
    pub fn parse(text: &str) -> Result<Pattern, PatternError> {
        let tokens = tokens(text).map_err(|(at, m)| error(at, m))?;
        let mut p = Parser {
            tokens,
            pos: 0,
            end: text.len(),
            depth: 0,
        };
        let root = p.followed_by()?;
        if p.pos < p.tokens.len() {
            return Err(error(p.at(), "unexpected text after the pattern"));
        }
        check_qualifiers(&root)?;
        check_hashes(&root)?;
        Ok(Pattern { root })
    }

    /// The (type, property path, value) of every `=` test on a simple property: what a scanner
    /// looks for in logs.
    pub fn equalities(&self) -> Vec<(&str, String, &Literal)> {
        let mut out = Vec::new();
        fn walk_c<'a>(c: &'a Comparison, out: &mut Vec<(&'a str, String, &'a Literal)>) {
            match c {
                Comparison::And(a, b) | Comparison::Or(a, b) => {
                    walk_c(a, out);
                    walk_c(b, out);
                }
                Comparison::Test(t) => {
                    if let (Op::Eq, false, Some(v)) = (t.op, t.negated, &t.value) {
                        out.push((t.path.object_type.as_str(), t.path.dotted(), v));
                    }
                }
            }
        }
        fn walk<'a>(e: &'a Expression, out: &mut Vec<(&'a str, String, &'a Literal)>) {
            match e {
                Expression::Observation(c) => walk_c(c, out),
                Expression::And(a, b) | Expression::Or(a, b) | Expression::FollowedBy(a, b) => {
                    walk(a, out);
                    walk(b, out);
                }
                Expression::Qualified(e, _) => walk(e, out),
            }
        }
        walk(&self.root, &mut out);
        out
    }
}

impl ObjectPath {
    /// The path after the type, dotted (`hashes.SHA-256`, `values[*].name`).
    pub fn dotted(&self) -> String {
        let mut s = String::new();
        for step in &self.steps {
            match step {
                Step::Key(k) => {
                    if !s.is_empty() {
                        s.push('.');
                    }
                    s.push_str(k);
                }
                Step::Index(i) => s.push_str(&format!("[{i}]")),
                Step::Any => s.push_str("[*]"),
            }
        }
        s
    }
}

/// A simple observation expression takes each kind of qualifier once.
fn check_qualifiers(e: &Expression) -> Result<(), PatternError> {
    match e {
        Expression::Observation(_) => Ok(()),
        Expression::And(a, b) | Expression::Or(a, b) | Expression::FollowedBy(a, b) => {
            check_qualifiers(a)?;
            check_qualifiers(b)
        }
        Expression::Qualified(..) => {
            let mut kinds = Vec::new();
            let mut inner = e;
            while let Expression::Qualified(x, q) = inner {
                kinds.push(std::mem::discriminant(q));
                inner = x;
            }
            if matches!(inner, Expression::Observation(_)) {
                for (i, k) in kinds.iter().enumerate() {
                    if kinds.iter().skip(i + 1).any(|o| o == k) {
                        return Err(error(
                            0,
                            "a qualifier of the same kind twice on one observation",
                        ));
                    }
                }
            }
            check_qualifiers(inner)
        }
    }
}

/// Hash values compared by `=` and the like must have their algorithm's form.
fn check_hashes(e: &Expression) -> Result<(), PatternError> {
    fn form(algorithm: &str, value: &str) -> Option<bool> {
        let hex = |lens: &[usize]| {
            value.bytes().all(|c| c.is_ascii_hexdigit()) && lens.contains(&value.len())
        };
        let name: String = algorithm
            .to_uppercase()
            .chars()
            .filter(|c| *c != '-')
            .collect();
        Some(match name.as_str() {
            "MD5" => hex(&[32]),
            "MD6" => hex(&[32, 40, 56, 64, 96, 128]),
            "RIPEMD160" | "SHA1" => hex(&[40]),
            "SHA224" | "SHA3224" => hex(&[56]),
            "SHA256" | "SHA3256" => hex(&[64]),
            "SHA384" | "SHA3384" => hex(&[96]),
            "SHA512" | "SHA3512" | "WHIRLPOOL" => hex(&[128]),
            "SSDEEP" => {
                (1..=128).contains(&value.len())
                    && value
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || b"/+:.".contains(&c))
            }
            _ => return None,
        })
    }
    fn comparison(c: &Comparison) -> Result<(), PatternError> {
        match c {
            Comparison::And(a, b) | Comparison::Or(a, b) => {
                comparison(a)?;
                comparison(b)
            }
            Comparison::Test(t) => {
                let hashed = t
                    .path
                    .steps
                    .iter()
                    .any(|s| *s == Step::Key("hashes".into()));
                if let (true, Some(Step::Key(algorithm)), Some(Literal::Str(v))) =
                    (hashed, t.path.steps.last(), &t.value)
                    && form(algorithm, v) == Some(false)
                {
                    return Err(error(0, format!("'{v}' is not a valid {algorithm} hash")));
                }
                Ok(())
            }
        }
    }
    match e {
        Expression::Observation(c) => comparison(c),
        Expression::And(a, b) | Expression::Or(a, b) | Expression::FollowedBy(a, b) => {
            check_hashes(a)?;
            check_hashes(b)
        }
        Expression::Qualified(x, _) => check_hashes(x),
    }
}
