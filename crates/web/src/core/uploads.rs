//! Keeping uploaded files: one folder per organisation, each file named by its SHA-256, written
//! to a temporary name, flushed to disk, then renamed, so a crash never leaves half a file.

use crate::core::error::AppError;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use uuid::Uuid;

/// The largest evidence file accepted.
pub const MAX_UPLOAD_BYTES: usize = 25 * 1024 * 1024;

fn path_of(root: &Path, org_id: Uuid, sha256: &str) -> PathBuf {
    root.join(org_id.to_string()).join(sha256)
}

/// Why a file was not stored.
enum NotStored {
    /// The organisation's folder would grow past its quota: bytes in use, and the quota.
    OverQuota(u64, u64),
    Io(std::io::Error),
}

impl From<std::io::Error> for NotStored {
    fn from(e: std::io::Error) -> Self {
        NotStored::Io(e)
    }
}

/// Bytes the files in an organisation's folder take (none when it does not exist yet).
fn used_bytes(dir: &Path) -> std::io::Result<u64> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(0);
    };
    let mut used = 0u64;
    for entry in entries {
        used = used.saturating_add(entry?.metadata()?.len());
    }
    Ok(used)
}

/// Stores bytes for an organisation and returns their SHA-256 (hex). A file the organisation
/// already has takes no more room; a new one must fit in its `quota` of bytes.
pub async fn store(
    root: &Path,
    org_id: Uuid,
    bytes: Vec<u8>,
    quota: u64,
) -> Result<String, AppError> {
    let root = root.to_path_buf();
    let stored = tokio::task::spawn_blocking(move || -> Result<String, NotStored> {
        let sha = hex::encode(Sha256::digest(&bytes));
        let path = path_of(&root, org_id, &sha);
        if path.exists() {
            return Ok(sha);
        }
        let dir = path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| root.clone());
        let used = used_bytes(&dir)?;
        let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
        if used.saturating_add(size) > quota {
            return Err(NotStored::OverQuota(used, quota));
        }
        std::fs::create_dir_all(&dir)?;
        let tmp = dir.join(format!(".{sha}.{}", Uuid::new_v4()));
        {
            use std::io::Write;
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            {
                // Evidence and contracts are the organisation's own: its owner only.
                use std::os::unix::fs::OpenOptionsExt;
                options.mode(0o600);
            }
            let mut f = options.open(&tmp)?;
            f.write_all(&bytes)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        Ok(sha)
    })
    .await
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let mb = |b: u64| b.div_ceil(1024 * 1024);
    stored.map_err(|e| match e {
        NotStored::OverQuota(used, quota) => {
            AppError::OverQuota(format!("{} MB / {} MB", mb(used), mb(quota)))
        }
        NotStored::Io(e) => AppError::Internal(format!("storing an upload: {e}")),
    })
}

/// Reads a stored file back.
pub async fn load(root: &Path, org_id: Uuid, sha256: &str) -> Result<Vec<u8>, AppError> {
    // The hash comes from our own database, but never let it name a path outside the folder.
    if sha256.len() != 64 || !sha256.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(AppError::NotFound);
    }
    tokio::fs::read(path_of(root, org_id, sha256))
        .await
        .map_err(|_| AppError::NotFound)
}

/// A file name as given by a browser, without control characters, path separators or the
/// invisible marks that reorder or hide text (`invoice\u{202E}fdp.exe` shows as `invoiceexe.pdf`),
/// at most 200 characters.
pub fn clean_filename(name: &str) -> String {
    name.chars()
        .filter(|c| !c.is_control() && *c != '/' && *c != '\\' && !is_invisible_format(*c))
        .take(200)
        .collect()
}

/// Bidirectional embeddings, overrides and isolates, directional and zero-width marks, and the
/// byte-order mark: characters that change how a name reads without showing themselves.
fn is_invisible_format(c: char) -> bool {
    matches!(c,
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{061C}' | '\u{FEFF}')
}

/// Bytes handed out as a download (never rendered in the page's origin), named for old and new
/// browsers alike.
pub fn attachment(filename: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::response::IntoResponse;
    let ascii: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || ".-_".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    let encoded: String = filename
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b".-_".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    let disposition = format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{encoded}");
    (
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/octet-stream".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::clean_filename;

    #[test]
    fn names_lose_what_would_disguise_them() {
        assert_eq!(clean_filename("invoice\u{202E}fdp.exe"), "invoicefdp.exe");
        assert_eq!(clean_filename("a\u{2067}b\u{2069}\u{200F}.pdf"), "ab.pdf");
        assert_eq!(clean_filename("../../etc/passwd"), "....etcpasswd");
        assert_eq!(clean_filename("報告書\r\n.xlsx"), "報告書.xlsx");
        assert_eq!(clean_filename("契約書（2025）.pdf"), "契約書（2025）.pdf");
    }
}
