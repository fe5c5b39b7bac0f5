//! The real login page in headless Chromium: log in, enable two-factor authentication, log out,
//! log in again with a code from the authenticator, and keep screenshots.

use crate::support::{Server, free_port};
use fantoccini::{Client, ClientBuilder, Locator};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> (Driver, u16) {
    let exe = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
    let port = free_port();
    let child = Command::new(&exe)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {exe} ({e}); install Debian's chromium and chromium-driver (bash .ci/run does)"));
    // Owned by the guard at once, so the process is reaped on every path.
    let driver = Driver(child);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return (driver, port);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("chromedriver did not start");
}

async fn browser(driver_port: u16, profile: &std::path::Path) -> Client {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": chromium,
            "prefs": {"intl.accept_languages": "ja"},
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900",
                     "--lang=ja", format!("--user-data-dir={}", profile.display())]
        }
    });
    let caps = caps.as_object().cloned().unwrap_or_default();
    ClientBuilder::rustls()
        .expect("tls")
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("connect to chromedriver")
}

fn screenshot_dir() -> PathBuf {
    let dir = std::env::var_os("MAMORI_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
        });
    std::fs::create_dir_all(&dir).expect("screenshot dir");
    dir
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

async fn fill(c: &Client, css: &str, text: &str) {
    let e = c
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"));
    e.clear().await.expect("clear");
    e.send_keys(text).await.expect("type");
}

/// Sets a date field as its picker would (typed keys depend on the browser's locale).
async fn set_date(c: &Client, id: &str, value: &str) {
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![serde_json::json!(id), serde_json::json!(value)],
    )
    .await
    .expect("set date");
}

async fn click(c: &Client, css: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .click()
        .await
        .unwrap_or_else(|e| panic!("click {css}: {e}"));
}

async fn choose(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("choose {value} in {css}: {e}"));
}

async fn submit(c: &Client, form_css: &str) {
    c.find(Locator::Css(&format!("{form_css} button[type=submit]")))
        .await
        .expect("submit button")
        .click()
        .await
        .expect("click");
}

/// Waits (a form submit returns before the next page has loaded) for the page heading to read `expected`.
async fn expect_heading(c: &Client, expected: &str) {
    let mut last = String::new();
    for _ in 0..100 {
        if let Ok(h) = c.find(Locator::Css("main h1")).await {
            last = h.text().await.unwrap_or_default();
            if last == expected {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!(
        "expected the page '{expected}', still on '{last}': {}",
        c.source().await.unwrap_or_default()
    );
}

async fn wait_for(c: &Client, css: &str) -> fantoccini::elements::Element {
    c.wait()
        .at_most(Duration::from_secs(10))
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
}

async fn save(c: &Client, name: &str) {
    let png = c.screenshot().await.expect("screenshot");
    assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
    std::fs::write(screenshot_dir().join(name), png).expect("write screenshot");
}

/// The one-time password `serve --demo` printed for a demo login.
fn demo_password(server: &Server, email: &str) -> String {
    server
        .stdout
        .iter()
        .find_map(|l| {
            l.trim()
                .strip_prefix(email)
                .map(|rest| rest.split_whitespace().next().unwrap_or("").to_string())
        })
        .unwrap_or_else(|| panic!("demo login {email} printed"))
}

/// The text of an element. A form submit may replace the page between finding the element and
/// reading it, so a stale element is looked up again.
async fn text_of(c: &Client, css: &str) -> String {
    let mut last = String::new();
    for _ in 0..50 {
        match wait_for(c, css).await.text().await {
            Ok(t) => return t,
            Err(e) => last = e.to_string(),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{css}: {last}")
}

async fn login(c: &Client, base: &str, email: &str, password: &str) {
    c.goto(&format!("{base}/login")).await.expect("login page");
    fill(c, "#email", email).await;
    fill(c, "#password", password).await;
    submit(c, "form[action='/login']").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn log_in_enable_two_factor_and_log_in_again_with_a_code() {
    let data = tempfile::tempdir().expect("dir");
    let server = Server::start(data.path(), &["--demo"]);
    let password = demo_password(&server, "admin@demo.mamori.jp");
    let base = server.url("");
    let (_driver, port) = chromedriver();
    let profile = tempfile::tempdir().expect("profile");
    let c = browser(port, profile.path()).await;

    c.goto(&format!("{base}/login")).await.expect("login page");
    expect_heading(&c, "ログイン").await;
    save(&c, "login.png").await;
    // A wrong password is refused on the page itself.
    login(&c, &base, "admin@demo.mamori.jp", "not-the-password").await;
    let err = wait_for(&c, "p.error").await.text().await.expect("text");
    assert!(err.contains("正しくありません"), "{err}");

    login(&c, &base, "admin@demo.mamori.jp", &password).await;
    expect_heading(&c, "ダッシュボード").await;

    // Enrol: start, read the key shown beside the QR code, confirm with a code.
    c.goto(&format!("{base}/account/totp"))
        .await
        .expect("enrol page");
    submit(&c, "form[action='/account/totp/start']").await;
    let qr = wait_for(&c, "img.qr")
        .await
        .attr("src")
        .await
        .expect("src")
        .unwrap_or_default();
    assert!(qr.starts_with("data:image/svg+xml;base64,"));
    save(&c, "totp-enrol.png").await;
    let secret = c
        .find(Locator::Id("totp-secret"))
        .await
        .expect("key")
        .text()
        .await
        .expect("text");
    let enrolled_at = unix_now();
    let code = mamori_web::crypto::totp_code(&secret, enrolled_at).expect("code");
    fill(&c, "#code", &code).await;
    submit(&c, "form[action='/account/totp']").await;
    wait_for(&c, "#recovery-codes").await;
    let codes = c
        .find_all(Locator::Css("#recovery-codes li"))
        .await
        .expect("recovery codes");
    assert_eq!(codes.len(), 10);

    // Log out, then in again: the password now leads to the code step.
    submit(&c, "form[action='/logout']").await;
    expect_heading(&c, "ログイン").await;
    login(&c, &base, "admin@demo.mamori.jp", &password).await;
    expect_heading(&c, "確認コード").await;
    // Each time step is accepted once: wait for the step after the one used at enrolment.
    while unix_now() / 30 <= enrolled_at / 30 {
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let code = mamori_web::crypto::totp_code(&secret, unix_now()).expect("code");
    fill(&c, "#code", &code).await;
    submit(&c, "form[action='/login/totp']").await;
    expect_heading(&c, "ダッシュボード").await;
    let body = c
        .find(Locator::Css("main"))
        .await
        .expect("main")
        .text()
        .await
        .expect("text");
    assert!(
        body.contains("守り市民病院") && body.contains("有効"),
        "{body}"
    );
    save(&c, "dashboard.png").await;

    // Self-assessment: start the FY2025 sheet, answer an item with a target date outside the
    // fiscal year (refused, input kept), correct it, then view the results and the print view.
    c.goto(&format!("{base}/assessments"))
        .await
        .expect("assessments");
    let select = c.find(Locator::Css("#sheet")).await.expect("sheet select");
    select
        .select_by_value("fy2025.institution")
        .await
        .expect("choose sheet");
    submit(&c, "form[action='/assessments']").await;
    wait_for(&c, "table.sheet").await;
    let sheet_url = c.current_url().await.expect("url").to_string();
    let sheet_url = sheet_url.split('?').next().unwrap_or_default().to_string();
    c.goto(&format!(
        "{sheet_url}/items/fy2025.institution.2-01?round=1"
    ))
    .await
    .expect("item");
    click(&c, "input[name=answer][value=no]").await;
    set_date(&c, "checked_on", "2025-06-10").await;
    set_date(&c, "target_date", "2026-04-15").await;
    fill(&c, "#assignee", "情報システム室").await;
    let evidence = data.path().join("device-ledger.csv");
    std::fs::write(&evidence, "機器名,設置場所\n電子カルテサーバ,サーバ室\n")
        .expect("evidence file");
    c.find(Locator::Id("evidence"))
        .await
        .expect("file input")
        .send_keys(&evidence.display().to_string())
        .await
        .expect("attach");
    submit(&c, "form.card").await;
    let listed = wait_for(&c, "#evidence-list")
        .await
        .text()
        .await
        .expect("text");
    assert!(
        listed.contains("device-ledger.csv"),
        "the attached file survives the refused answer: {listed}"
    );
    let err = wait_for(&c, "#target-error")
        .await
        .text()
        .await
        .expect("text");
    assert!(err.contains("年度内"), "{err}");
    let kept = c
        .find(Locator::Id("assignee"))
        .await
        .expect("assignee")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("情報システム室"));
    set_date(&c, "target_date", "2026-03-31").await;
    submit(&c, "form.card").await;
    wait_for(&c, "table.sheet").await;
    c.goto(&format!("{sheet_url}/results"))
        .await
        .expect("results");
    wait_for(&c, "svg.heatmap").await;
    let gaps = c
        .find(Locator::Id("gaps"))
        .await
        .expect("gap list")
        .text()
        .await
        .expect("text");
    assert!(gaps.contains("台帳"), "{gaps}");
    save(&c, "assessment-results.png").await;
    c.goto(&format!("{sheet_url}/print"))
        .await
        .expect("print view");
    let printed = c
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text");
    assert!(printed.contains("2026-03-31") && printed.contains("守り市民病院"));
    save(&c, "assessment-print.png").await;

    c.close().await.expect("close");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reported_anomaly_becomes_a_ransomware_incident_with_its_reports_due() {
    use mamori_domain::duties::next_open_day;
    let data = tempfile::tempdir().expect("dir");
    let server = Server::start(data.path(), &["--demo"]);
    let nurse_pw = demo_password(&server, "nurse@demo.mamori.jp");
    let manager_pw = demo_password(&server, "admin@demo.mamori.jp");
    let base = server.url("");
    let (_driver, port) = chromedriver();
    let profile = tempfile::tempdir().expect("profile");
    let c = browser(port, profile.path()).await;

    // A nurse reports from a phone-sized screen.
    c.set_window_size(390, 844).await.expect("phone size");
    login(&c, &base, "nurse@demo.mamori.jp", &nurse_pw).await;
    expect_heading(&c, "ダッシュボード").await;
    c.goto(&format!("{base}/report"))
        .await
        .expect("report page");
    expect_heading(&c, "異常を報告").await;
    fill(
        &c,
        "#what",
        "電子カルテ端末に英語の脅迫文が表示され、ファイルが開けない",
    )
    .await;
    fill(&c, "#place", "3階東病棟").await;
    fill(&c, "#device", "ナースステーション端末2").await;
    save(&c, "incident-report-phone.png").await;
    submit(&c, "#report-form").await;
    let notice = text_of(&c, "p.notice").await;
    assert!(notice.contains("受け付けました"), "{notice}");
    submit(&c, "form[action='/logout']").await;
    expect_heading(&c, "ログイン").await;
    c.set_window_size(1280, 900).await.expect("desktop size");

    // The security manager sees it on the dashboard and triages it into a ransomware incident
    // with personal data possibly affected.
    login(&c, &base, "admin@demo.mamori.jp", &manager_pw).await;
    expect_heading(&c, "ダッシュボード").await;
    let card = text_of(&c, "#incident-card").await;
    assert!(card.contains("トリアージ待ちの報告: 1"), "{card}");
    c.goto(&format!("{base}/incidents"))
        .await
        .expect("incidents");
    click(&c, "#open-reports a").await;
    // The demo hospital already holds one report (handled) and two incidents (one closed, one
    // exercise), so the nurse's report is the second and its incident the third.
    expect_heading(&c, "報告のトリアージ #2").await;
    fill(&c, "#title", "ランサムウェア感染(電子カルテ)").await;
    choose(&c, "#kind", "ransomware").await;
    choose(&c, "#severity", "critical").await;
    click(&c, "input[name=care_disrupted]").await;
    fill(&c, "#care_decision", "外来は紙運用に切替").await;
    click(&c, "input[name=personal_data][value=possible]").await;
    fill(&c, "#pd_count", "52000").await;
    click(&c, "input[name=pd_sensitive]").await;
    let aware_value = c
        .find(Locator::Id("aware_at"))
        .await
        .expect("aware_at")
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    let aware =
        chrono::NaiveDate::parse_from_str(&aware_value[..10], "%Y-%m-%d").expect("aware date");
    save(&c, "incident-triage.png").await;
    submit(&c, "#incident-form").await;
    expect_heading(&c, "#3 ランサムウェア感染(電子カルテ)").await;

    // The duties: 速報 target day 3, due day 5; 確報 60 days (malicious), moved past closed days.
    let sokuho = text_of(&c, "#duty-ppc\\.sokuho").await;
    let day = |n: i64| aware + chrono::Duration::days(n - 1);
    assert!(
        sokuho.contains(&day(3).to_string()) && sokuho.contains(&day(5).to_string()),
        "{sokuho}"
    );
    let kakuho = text_of(&c, "#duty-ppc\\.kakuho").await;
    assert!(
        kakuho.contains(&next_open_day(day(60)).to_string()),
        "{kakuho}"
    );
    for id in [
        "vendor\\.notice",
        "mhlw\\.notice",
        "prefecture\\.notice",
        "police\\.notice",
        "individuals\\.notice",
    ] {
        wait_for(&c, &format!("#duty-{id}")).await;
    }
    c.execute(
        "document.getElementById('duties').scrollIntoView();",
        vec![],
    )
    .await
    .expect("scroll");
    save(&c, "incident-duties.png").await;

    // The PPC 速報 is marked sent.
    fill(
        &c,
        "#duty-ppc\\.sokuho input[name=sent_to]",
        "個人情報保護委員会 漏えい等報告フォーム",
    )
    .await;
    submit(&c, "#duty-ppc\\.sokuho form").await;
    let mut sokuho = String::new();
    for _ in 0..50 {
        sokuho = text_of(&c, "#duty-ppc\\.sokuho").await;
        if sokuho.contains("漏えい等報告フォーム") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(
        sokuho.contains("済") && sokuho.contains("漏えい等報告フォーム"),
        "{sokuho}"
    );

    // The MHLW report draft is saved and printed.
    c.goto(&format!(
        "{}/documents/mhlw_report",
        c.current_url()
            .await
            .expect("url")
            .as_str()
            .split('#')
            .next()
            .unwrap_or("")
    ))
    .await
    .expect("draft");
    expect_heading(&c, "厚生労働省・都道府県への報告").await;
    let damage = c
        .find(Locator::Id("f-damage"))
        .await
        .expect("damage")
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default();
    assert!(damage.contains("外来は紙運用に切替"), "{damage}");
    fill(&c, "#f-recovery", "バックアップの安全確認中").await;
    submit(&c, "#draft-form").await;
    wait_for(&c, "#versions").await;
    c.find(Locator::Id("print-link"))
        .await
        .expect("print")
        .click()
        .await
        .expect("print view");
    let doc = text_of(&c, "#document").await;
    assert!(
        doc.contains("被害状況")
            && doc.contains("バックアップの安全確認中")
            && doc.contains("再発防止策"),
        "{doc}"
    );
    let pdf = c.print(Default::default()).await.expect("print to PDF");
    assert!(pdf.starts_with(b"%PDF"), "printed to PDF");
    std::fs::write(screenshot_dir().join("incident-mhlw-report.pdf"), pdf).expect("pdf");
    save(&c, "incident-mhlw-report.png").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_device_csv_is_fixed_imported_and_its_vpn_appliance_meets_the_kev() {
    let data = tempfile::tempdir().expect("dir");
    let server = Server::start(data.path(), &["--demo"]);
    let password = demo_password(&server, "admin@demo.mamori.jp");
    let base = server.url("");
    let (_driver, port) = chromedriver();
    let profile = tempfile::tempdir().expect("profile");
    let c = browser(port, profile.path()).await;
    login(&c, &base, "admin@demo.mamori.jp", &password).await;
    expect_heading(&c, "ダッシュボード").await;

    let header =
        "名称,種別,設置場所,メーカー,製品・型番,バージョン,インターネット接続,サポート終了日\n";
    let bad = format!(
        "{header}VPN-01,ネットワーク機器,サーバ室,Fortinet,FortiGate 60F,6.0.4,はい,2027-03-31\nPC-07,端末,外来,NEC,Mate,Win10,いいえ,来年\n"
    );
    let bad_file = data.path().join("devices-bad.csv");
    std::fs::write(&bad_file, &bad).expect("csv");
    let good_file = data.path().join("devices.csv");
    std::fs::write(&good_file, bad.replace("来年", "2028-03-31")).expect("csv");
    let upload = |file: std::path::PathBuf, input: &'static str, form: &'static str| {
        let c = c.clone();
        async move {
            c.find(Locator::Css(input))
                .await
                .expect("file input")
                .send_keys(&file.display().to_string())
                .await
                .expect("choose file");
            submit(&c, form).await;
        }
    };

    c.goto(&format!("{base}/registers/devices"))
        .await
        .expect("ledger");
    expect_heading(&c, "機器台帳").await;
    upload(bad_file, "#device-file", "#device-import").await;
    expect_heading(&c, "読み込めませんでした").await;
    let faults = text_of(&c, "#import-errors").await;
    assert!(
        faults.contains("サポート終了日") && faults.contains('3'),
        "{faults}"
    );
    save(&c, "devices-import-refused.png").await;

    c.goto(&format!("{base}/registers/devices"))
        .await
        .expect("ledger");
    upload(good_file, "#device-file", "#device-import").await;
    let notice = text_of(&c, "p.notice").await;
    assert!(notice.contains("取り込みました"), "{notice}");
    let table = text_of(&c, "#device-table").await;
    assert!(
        table.contains("VPN-01") && table.contains("PC-07"),
        "{table}"
    );
    fill(&c, "#review-note", "台帳と実機を照合").await;
    submit(&c, "#review-form").await;
    wait_for(&c, "p.notice").await;
    save(&c, "devices.png").await;

    let testdata = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/vuln");
    for feed in ["kev-slice.json", "nvd-sample.json"] {
        c.goto(&format!("{base}/registers/findings"))
            .await
            .expect("findings");
        upload(
            testdata.join(feed).canonicalize().expect("feed"),
            "#feed-file",
            "#feed-import",
        )
        .await;
        let notice = text_of(&c, "p.notice").await;
        assert!(notice.contains("取り込みました"), "{feed}: {notice}");
    }
    let first = text_of(&c, "#findings-table tbody tr").await;
    assert!(
        first.contains("VPN-01") && first.contains("KEV") && first.contains("外部公開"),
        "{first}"
    );
    assert!(
        text_of(&c, "#findings-table")
            .await
            .contains("CVE-2018-13379")
    );
    save(&c, "findings.png").await;

    c.goto(&format!("{base}/assessments"))
        .await
        .expect("assessments");
    choose(&c, "#sheet", "fy2025.institution").await;
    submit(&c, "form[action='/assessments']").await;
    let item = text_of(&c, "#item-fy2025\\.institution\\.2-01 .register-state").await;
    assert!(
        // The two imported devices join the demo hospital's ledger, reviewed when it was entered.
        item.contains("機器台帳 ") && !item.contains("機器台帳 0台") && item.contains("最終棚卸し"),
        "{item}"
    );
    c.execute(
        "document.getElementById('item-fy2025.institution.2-01').scrollIntoView();",
        vec![],
    )
    .await
    .expect("scroll");
    save(&c, "assessment-ledger-state.png").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_prefecture_sees_who_has_not_submitted_and_records_an_inspection() {
    let data = tempfile::tempdir().expect("dir");
    let server = Server::start(data.path(), &["--demo"]);
    let password = demo_password(&server, "inspector@pref.demo.mamori.jp");
    let base = server.url("");
    let (_driver, port) = chromedriver();
    let profile = tempfile::tempdir().expect("profile");
    let c = browser(port, profile.path()).await;
    login(&c, &base, "inspector@pref.demo.mamori.jp", &password).await;
    expect_heading(&c, "ダッシュボード").await;
    c.goto(&format!("{base}/oversight"))
        .await
        .expect("oversight");
    expect_heading(&c, "所管の提出状況").await;
    // Seven of the eight institutions of the demo roster have not submitted.
    assert_eq!(text_of(&c, "#missing").await, "7");
    assert_eq!(
        c.find_all(Locator::Css("#roster-status tr.missing"))
            .await
            .expect("rows")
            .len(),
        7
    );
    save(&c, "oversight.png").await;
    // The hospital's submission, as submitted.
    click(&c, "#roster-status tr.submitted a").await;
    expect_heading(&c, "提出されたチェックリスト: 守り市民病院(デモ)").await;
    assert_eq!(text_of(&c, "#digest").await.len(), 64);
    save(&c, "oversight-submission.png").await;
    // An inspection recorded from the hospital's row.
    c.goto(&format!("{base}/oversight")).await.expect("back");
    click(&c, "#roster-status tr.submitted a.inspect").await;
    expect_heading(&c, "立入検査を記録する").await;
    fill(
        &c,
        "#findings",
        "2-⑬ 二要素認証の導入計画がない\n委託先との責任分界表が古い",
    )
    .await;
    fill(&c, "#guidance", "年度内に導入計画を作成し報告すること").await;
    fill(&c, "#follow_up_due", "2027-03-31").await;
    save(&c, "inspection-form.png").await;
    submit(&c, "#inspection-form").await;
    expect_heading(&c, "立入検査: 守り市民病院(デモ)").await;
    let findings = text_of(&c, "#findings").await;
    assert!(
        findings.contains("委託先との責任分界表が古い"),
        "{findings}"
    );
    save(&c, "inspection.png").await;
}

/// What a script run in the page returns.
async fn measured(c: &Client, script: &str) -> serde_json::Value {
    c.execute(script, vec![])
        .await
        .unwrap_or_else(|e| panic!("{script}: {e}"))
}

/// Whether every entry of the task navigation sits on one row.
async fn navigation_in_one_row(c: &Client) -> bool {
    measured(
        c,
        "const tops = [...document.querySelectorAll('nav.tasks li')].map(li => Math.round(li.getBoundingClientRect().top)); \
         return tops.length > 0 && tops.every(t => t === tops[0]);",
    )
    .await
    .as_bool()
    .unwrap_or(false)
}

/// How far the page is wider than the window, in CSS pixels (0: no horizontal scroll bar).
async fn overflow_x(c: &Client) -> i64 {
    measured(
        c,
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
    )
    .await
    .as_i64()
    .unwrap_or(i64::MAX)
}

/// The outermost elements that reach past the window's right edge, and the elements whose content
/// is wider than they are, for a failure message.
async fn widest(c: &Client) -> String {
    measured(c, "const w = document.documentElement.clientWidth; const clipped = e => { for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) { if (getComputedStyle(p).overflowX !== 'visible') return true; } return false; };              return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1 && !clipped(e))              .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + (e.textContent || '').slice(0, 40)).join(' | ') + ' // ' + [...document.querySelectorAll('body, body *')].filter(e => e.scrollWidth > e.clientWidth + 1 && e.clientWidth > 0).slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + e.scrollWidth + '/' + e.clientWidth + ' ' + getComputedStyle(e).display + ' ' + getComputedStyle(e).overflowX).join(' | ');")
        .await
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Where the page's heading starts, in CSS pixels from the top.
async fn heading_top(c: &Client) -> i64 {
    measured(
        c,
        "return Math.round(document.querySelector('main h1').getBoundingClientRect().top);",
    )
    .await
    .as_i64()
    .unwrap_or(i64::MAX)
}

/// The pages whose lists read as stacked cards on a phone.
const CARD_LISTS: [&str; 9] = [
    "/sharing",
    "/sharing/alerts",
    "/assessments",
    "/registers/devices",
    "/registers/findings",
    "/incidents",
    "/users",
    "/audit",
    "/registers/backups",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_main_page_fits_a_desk_and_a_phone_in_both_languages() {
    let data = tempfile::tempdir().expect("dir");
    let server = Server::start(data.path(), &["--demo"]);
    let password = demo_password(&server, "admin@demo.mamori.jp");
    let base = server.url("");
    let (_driver, port) = chromedriver();
    let profile = tempfile::tempdir().expect("profile");
    let c = browser(port, profile.path()).await;
    // The demo is a hospital in its second year: the vendor has a login of its own, and the
    // dashboard shows the KEV flaw on the VPN appliance and the running exercise.
    assert!(!demo_password(&server, "support@mms.demo.mamori.jp").is_empty());
    login(&c, &base, "admin@demo.mamori.jp", &password).await;
    expect_heading(&c, "ダッシュボード").await;
    let risks = text_of(&c, "#risk-card").await;
    assert!(
        risks.contains("VPN装置") && risks.contains("CVE-"),
        "{risks}"
    );
    assert!(
        risks.contains("画像システムズ(PACS)"),
        "the unanswered vendor sheet: {risks}"
    );
    assert!(text_of(&c, "#incident-card").await.contains("【訓練】"));
    // The demo ISAC's alert about FortiOS reaches the hospital with its VPN appliance.
    let alerts = text_of(&c, "#alerts-card").await;
    assert!(
        alerts.contains("FortiOS") && alerts.contains("1 台が該当"),
        "{alerts}"
    );
    let assessment = text_of(&c, "#assessment-card").await;
    assert!(
        assessment.contains("2-"),
        "an overdue いいえ item: {assessment}"
    );
    let pages = [
        ("dashboard", "/"),
        ("assessments", "/assessments"),
        ("registers", "/registers"),
        ("devices", "/registers/devices"),
        ("backups", "/registers/backups"),
        ("findings", "/registers/findings"),
        ("accounts-review", "/registers/accounts"),
        ("incidents", "/incidents"),
        ("report", "/report"),
        ("preparedness", "/preparedness"),
        ("users", "/users"),
        ("audit", "/audit"),
        ("organisation", "/organisation"),
        ("account", "/account"),
        ("sharing", "/sharing"),
        ("alerts", "/sharing/alerts"),
        ("share-drafts", "/sharing/drafts"),
        ("sharing-groups", "/sharing/groups"),
        ("submit-checklist", "/oversight/submit"),
        ("my-inspections", "/oversight/my-inspections"),
    ];
    for lang in ["ja", "en"] {
        if lang == "en" {
            c.goto(&format!("{base}/")).await.expect("home");
            submit(&c, "form[action='/lang']").await;
            expect_heading(&c, "Dashboard").await;
        }
        for (name, path) in pages {
            c.set_window_size(1280, 900).await.expect("desk size");
            c.goto(&format!("{base}{path}")).await.expect("page");
            wait_for(&c, "main h1").await;
            assert!(
                navigation_in_one_row(&c).await,
                "{lang} {path}: the navigation wraps at 1280 px"
            );
            assert_eq!(overflow_x(&c).await, 0, "{lang} {path}: wider than 1280 px");
            save(&c, &format!("page-{name}-{lang}-1280.png")).await;
            if path == "/report" {
                // A required field is marked beside its label, in the page's language.
                let mark = measured(
                    &c,
                    "return getComputedStyle(document.querySelector('label[for=what]'), '::after').content;",
                )
                .await;
                let mark = mark.as_str().unwrap_or_default().to_string();
                assert!(
                    mark.contains(if lang == "ja" { "必須" } else { "required" }),
                    "{lang}: {mark}"
                );
            }
            c.set_window_size(390, 844).await.expect("phone size");
            c.goto(&format!("{base}{path}")).await.expect("page");
            wait_for(&c, "main h1").await;
            save(&c, &format!("page-{name}-{lang}-390.png")).await;
            assert_eq!(
                overflow_x(&c).await,
                0,
                "{lang} {path}: a horizontal scroll bar at 390 px, from {}",
                widest(&c).await
            );
            // The lists turn into stacked cards, each value under its column's name.
            if CARD_LISTS.contains(&path) {
                let cards = measured(
                    &c,
                    "return [...document.querySelectorAll('main table.cards-on-phone')]\
                       .filter(t => t.tBodies[0] && t.tBodies[0].querySelector('td[data-label]'))\
                       .map(t => { const td = t.tBodies[0].querySelector('td[data-label]');\
                         return [getComputedStyle(t.tHead).display, getComputedStyle(td).display,\
                                 getComputedStyle(td, '::before').content, td.dataset.label]; });",
                )
                .await;
                let cards = cards.as_array().cloned().unwrap_or_default();
                assert!(!cards.is_empty(), "{lang} {path}: no list as cards");
                for card in cards {
                    assert_eq!(card[0], "none", "{lang} {path}: headers shown {card}");
                    assert_eq!(card[1], "block", "{lang} {path}: cells in a row {card}");
                    let label = card[3].as_str().unwrap_or_default();
                    assert!(
                        !label.is_empty() && card[2].as_str().unwrap_or_default().contains(label),
                        "{lang} {path}: a value without its column's name {card}"
                    );
                }
            }
            // The compact header leaves the page on the first screen.
            let top = heading_top(&c).await;
            assert!(
                top < 250,
                "{lang} {path}: the heading starts at {top} px on a phone"
            );
        }
    }
    // Every role's dashboard, the vendor's included, on a desk and on a phone (in Japanese again).
    c.set_window_size(1280, 900).await.expect("desk size");
    c.goto(&format!("{base}/")).await.expect("home");
    submit(&c, "form[action='/lang']").await;
    expect_heading(&c, "ダッシュボード").await;
    for (who, email) in [
        ("executive", "director@demo.mamori.jp"),
        ("planner", "planner@demo.mamori.jp"),
        ("operator", "it@demo.mamori.jp"),
        ("staff", "nurse@demo.mamori.jp"),
        ("vendor", "support@mms.demo.mamori.jp"),
    ] {
        c.set_window_size(1280, 900).await.expect("desk size");
        c.goto(&format!("{base}/")).await.expect("home");
        submit(&c, "form[action='/logout']").await;
        wait_for(&c, "#email").await;
        login(&c, &base, email, &demo_password(&server, email)).await;
        expect_heading(&c, "ダッシュボード").await;
        if who == "executive" {
            let card = text_of(&c, "#executive-card").await;
            assert!(card.contains("VPN装置") || card.contains("VPN"), "{card}");
        }
        assert!(
            navigation_in_one_row(&c).await,
            "{who}: the navigation wraps"
        );
        save(&c, &format!("dashboard-{who}-1280.png")).await;
        c.set_window_size(390, 844).await.expect("phone size");
        c.goto(&format!("{base}/")).await.expect("home");
        wait_for(&c, "main h1").await;
        assert_eq!(
            overflow_x(&c).await,
            0,
            "{who}: a horizontal scroll bar at 390 px"
        );
        save(&c, &format!("dashboard-{who}-390.png")).await;
    }
}
