//! An answered write survives `kill -9`.

use crate::support::{Server, cookie_pair, form, hidden, http};
use mamori_store::Store;

#[test]
fn a_write_that_was_answered_survives_a_kill() {
    let dir = tempfile::tempdir().expect("dir");
    let mut server = Server::start(dir.path(), &[]);
    let page = http(server.port, "GET", "/setup", "", None);
    assert_eq!(page.status, 200);
    let cookie = cookie_pair(&page, "mamori_csrf");
    let csrf = hidden(&page.body, "csrf");
    let body = form(&[
        ("csrf", &csrf),
        ("name", "耐障害病院"),
        ("kind", "institution"),
        ("institution_type", "hospital"),
        ("beds", "300"),
        ("display_name", "管理"),
        ("email", "admin@crash.test"),
        ("password", "a-long-enough-password"),
        ("password_confirm", "a-long-enough-password"),
    ]);
    let res = http(server.port, "POST", "/setup", &cookie, Some(&body));
    assert_eq!(res.status, 303, "{}", res.body);
    // SIGKILL: no shutdown, no checkpoint, no flush beyond what the commit already did.
    server.child.kill().expect("kill -9");
    server.child.wait().expect("wait");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let s = Store::connect(&format!(
            "sqlite://{}",
            dir.path().join("mamori.db").display()
        ))
        .await
        .expect("store");
        let orgs = s.org_directory().await.expect("orgs");
        assert_eq!(orgs.len(), 1);
        assert_eq!(orgs[0].profile.name, "耐障害病院");
        assert!(
            s.login_candidates("admin@crash.test")
                .await
                .expect("lookup")
                .len()
                == 1
        );
        s.close().await;
    });
    // The chain is keyed: it is checked with the installation's key file, as an operator would.
    let verified = crate::support::mamori(dir.path(), &["audit", "verify"]);
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
}
