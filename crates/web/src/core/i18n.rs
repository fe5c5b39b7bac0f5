//! Message catalogs (`locales/ja.toml`, `locales/en.toml`), compiled into the binary.

use mamori_domain::Lang;
use std::collections::HashMap;
use std::sync::OnceLock;

type Catalog = HashMap<String, String>;

fn parse(src: &str) -> Catalog {
    toml::from_str::<HashMap<String, String>>(src).unwrap_or_default()
}

fn catalogs() -> &'static (Catalog, Catalog) {
    static C: OnceLock<(Catalog, Catalog)> = OnceLock::new();
    C.get_or_init(|| {
        (
            parse(include_str!("../../../../locales/ja.toml")),
            parse(include_str!("../../../../locales/en.toml")),
        )
    })
}

/// The messages of one language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tr {
    /// The language.
    pub lang: Lang,
}

impl Tr {
    /// The catalog for a language.
    pub fn new(lang: Lang) -> Tr {
        Tr { lang }
    }

    /// The label of an answer in this language.
    pub fn answer(&self, a: &mamori_domain::assessment::Answer) -> &'static str {
        a.label(self.lang)
    }

    /// The message for a key; the key itself when missing (a test keeps that from happening).
    pub fn t<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        let (ja, en) = catalogs();
        let cat = match self.lang {
            Lang::Ja => ja,
            Lang::En => en,
        };
        cat.get(key).map(String::as_str).unwrap_or(key)
    }
}

impl Tr {
    /// An audit action (`device.add`, `auth.login`) in words: a wording of its own where the
    /// catalog has one (`audit.action.auth.login`), else what it acts on and what was done
    /// (`audit.noun.device`, `audit.verb.add`); the code itself for a part without words.
    pub fn audit_action(&self, code: &str) -> String {
        let (ja, en) = catalogs();
        let cat = match self.lang {
            Lang::Ja => ja,
            Lang::En => en,
        };
        if let Some(own) = cat.get(&format!("audit.action.{code}")) {
            return own.clone();
        }
        let Some((noun, verb)) = code.split_once('.') else {
            return code.to_string();
        };
        let word = |kind: &str, part: &str| {
            cat.get(&format!("audit.{kind}.{part}"))
                .cloned()
                .unwrap_or_else(|| part.to_string())
        };
        let (noun, verb) = (word("noun", noun), word("verb", verb));
        match self.lang {
            Lang::Ja => format!("{noun}の{verb}"),
            Lang::En => format!("{noun}: {verb}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    #[test]
    fn audit_actions_read_as_words_in_both_languages() {
        let ja = Tr::new(Lang::Ja);
        let en = Tr::new(Lang::En);
        assert_eq!(ja.audit_action("auth.login"), "ログイン");
        assert_eq!(en.audit_action("auth.login"), "Signed in");
        assert_eq!(ja.audit_action("device.add"), "機器台帳の追加");
        assert_eq!(en.audit_action("user.create"), "User: created");
        assert_eq!(
            ja.audit_action("incident.phase"),
            "インシデントのフェーズ変更"
        );
        // A part without words shows its code rather than nothing.
        assert_eq!(ja.audit_action("device.teleport"), "機器台帳のteleport");
        assert_eq!(ja.audit_action("oddity"), "oddity");
    }

    #[test]
    fn both_catalogs_parse_and_have_the_same_keys() {
        let ja: HashMap<String, String> =
            toml::from_str(include_str!("../../../../locales/ja.toml")).unwrap_or_default();
        let en: HashMap<String, String> =
            toml::from_str(include_str!("../../../../locales/en.toml")).unwrap_or_default();
        assert!(ja.len() > 50, "ja catalog failed to parse or is empty");
        let jk: BTreeSet<_> = ja.keys().collect();
        let ek: BTreeSet<_> = en.keys().collect();
        assert_eq!(
            jk.difference(&ek).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "keys missing in en"
        );
        assert_eq!(
            ek.difference(&jk).collect::<Vec<_>>(),
            Vec::<&&String>::new(),
            "keys missing in ja"
        );
    }

    /// The label of every button in the templates, by catalog key (the language switch, which
    /// names the other language, aside).
    fn button_keys() -> BTreeSet<String> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut keys = BTreeSet::new();
        for file in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let text = std::fs::read_to_string(file.path()).unwrap_or_default();
            for (at, _) in text.match_indices("<button") {
                let rest = text.get(at..).unwrap_or_default();
                let Some(label) = rest
                    .split_once('>')
                    .and_then(|(_, r)| r.split_once("</button>"))
                    .map(|(l, _)| l.trim())
                else {
                    continue;
                };
                if label.contains("other_lang") {
                    continue;
                }
                // The label starts with its words from the catalog (a date may follow them).
                let key = label
                    .strip_prefix("{{ page.t(\"")
                    .and_then(|l| l.split_once("\") }}"))
                    .map(|(k, _)| k);
                assert!(
                    key.is_some(),
                    "{}: a button labelled {label:?}, not from the catalog",
                    file.path().display()
                );
                keys.extend(key.map(str::to_string));
            }
        }
        keys
    }

    #[test]
    fn buttons_are_named_the_same_way_everywhere() {
        let ja: HashMap<String, String> =
            toml::from_str(include_str!("../../../../locales/ja.toml")).unwrap_or_default();
        let en: HashMap<String, String> =
            toml::from_str(include_str!("../../../../locales/en.toml")).unwrap_or_default();
        let keys = button_keys();
        assert!(keys.len() > 30, "buttons found: {keys:?}");
        // Japanese: what the button does, ending in the verb's plain form (保存する, 取り込む),
        // never a bare noun (保存) or a state (適用済); the same act in the same word.
        let synonyms = [("読み込", "取り込む")];
        for key in &keys {
            let ja = ja.get(key).map(String::as_str).unwrap_or_default();
            let last = ja.chars().last().unwrap_or(' ');
            assert!(
                "うくぐすつぬぶむる".contains(last),
                "{key}: {ja:?} does not end in a verb"
            );
            for (word, instead) in synonyms {
                assert!(!ja.contains(word), "{key}: {ja:?}, say {instead}");
            }
            if ja.contains("保存") {
                assert!(ja.ends_with("保存する"), "{key}: {ja:?}");
            }
            // English: an imperative in sentence case, never a past participle alone.
            let en = en.get(key).map(String::as_str).unwrap_or_default();
            let first = en.split_whitespace().next().unwrap_or_default();
            assert!(
                first.chars().next().is_some_and(char::is_uppercase)
                    && !first.ends_with("ed")
                    && !en.ends_with('.'),
                "{key}: {en:?} is not an imperative"
            );
        }
    }

    #[test]
    fn every_key_used_in_code_and_templates_exists() {
        let ja: HashMap<String, String> =
            toml::from_str(include_str!("../../../../locales/ja.toml")).unwrap_or_default();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut missing = Vec::new();
        let mut files = Vec::new();
        for dir in ["templates", "src", "src/pages", "../domain/src"] {
            if let Ok(rd) = std::fs::read_dir(root.join(dir)) {
                files.extend(rd.flatten().map(|e| e.path()).filter(|p| p.is_file()));
            }
        }
        let re_like = |text: &str, open: &str| -> Vec<String> {
            text.match_indices(open)
                .filter_map(|(i, _)| {
                    let rest = text.get(i + open.len()..)?;
                    let end = rest.find('"')?;
                    Some(rest.get(..end)?.to_string())
                })
                .collect()
        };
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            if f.ends_with("i18n.rs") {
                continue;
            }
            for open in [".t(\"", "\"error."] {
                for key in re_like(&text, open) {
                    let key = if open == "\"error." {
                        format!("error.{key}")
                    } else {
                        key
                    };
                    let is_key = key.split_once('.').is_some_and(|(a, b)| {
                        !a.is_empty()
                            && !b.is_empty()
                            && key.chars().all(|c| {
                                c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.'
                            })
                    }) && key != "error.html";
                    if is_key && !ja.contains_key(&key) {
                        missing.push(format!("{}: {key}", f.display()));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "keys not in the catalogs: {missing:#?}");
    }
}
