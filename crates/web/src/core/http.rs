//! Reading and writing what travels in HTTP headers: cookies and the visitor's language.

use axum::http::{HeaderMap, header};
use mamori_domain::Lang;

/// The value of a cookie in a request.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// The cookie that carries a visitor's chosen language.
pub const LANG_COOKIE: &str = "mamori_lang";

/// A visitor's language: the language cookie, else `Accept-Language`, else Japanese.
pub fn request_lang(headers: &HeaderMap) -> Lang {
    cookie(headers, LANG_COOKIE)
        .and_then(Lang::from_code)
        .unwrap_or_else(|| {
            Lang::from_accept_language(
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or(""),
            )
        })
}

/// A `Set-Cookie` value with our hardening: HttpOnly, SameSite=Strict, Path=/, Secure under TLS.
pub fn set_cookie(name: &str, value: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}")
}

/// `to` when it is a path on this site (`/…`, not `//host` or `/\host`, which browsers read as
/// another site, and nothing a header could not carry); none otherwise.
pub fn local_path(to: &str) -> Option<&str> {
    let mut chars = to.chars();
    let local = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !to.contains('\\')
        && to.chars().all(|c| c.is_ascii_graphic());
    local
        .then_some(to)
        .filter(|t| t.parse::<axum::http::uri::PathAndQuery>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::local_path;

    #[test]
    fn only_paths_on_this_site_are_local() {
        for ok in ["/", "/assessments/1?fy=2025", "/users#x", "/%E5%AE%88"] {
            assert_eq!(local_path(ok), Some(ok));
        }
        for bad in [
            "",
            "https://evil.example",
            "//evil.example",
            "/\\evil.example",
            "/a\\b",
            "/a\r\nSet-Cookie: x=1",
            "/a\u{7f}",
            "/a b",
            "/守り",
            "relative",
        ] {
            assert_eq!(local_path(bad), None, "{bad:?}");
        }
    }
}
