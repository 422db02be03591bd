//! The board in a real browser (Debian's Chromium, headless) against the
//! real `tsunagi-centre serve` over HTTPS: logging in, posting to a chosen
//! agency with a PDF attached (served as a sandboxed download), commenting,
//! searching; another agency's staff cannot reach the
//! post by list, address or search, a researcher can; a form without its
//! CSRF token is refused; script in a title, body or comment is text.
//!
//! With `TSUNAGI_SCREENSHOTS=DIR` set, every page is also saved as PNG at
//! a desktop's and a tablet's width (`docs/screenshots/board-*.png` are
//! made so).

use std::path::PathBuf;
use std::process::{Command, Output};

use tsunagi_tests::Serve;
use tsunagi_tests::browser::Browser;

/// The agency that posts, the one it shares with, and one it does not.
const AGENCY: &str = "架空市難病相談支援センター";
const PARTNER_AGENCY: &str = "別市就労支援センター";
const OTHER_AGENCY: &str = "遠方県障害者職業センター";

/// Everyone's password (no character a form would encode).
const PASSWORD: &str = "board-password-2027";

/// The post's title: script in it must stay text.
const TITLE: &str = "<script>document.title='pwned'</script>職場実習の受け入れ先";

struct Centre {
    root: tempfile::TempDir,
    serve: Serve,
}

impl Centre {
    /// A centre with the three agencies, a member of each, and a
    /// researcher, serving on a free loopback port.
    fn start() -> Self {
        let root = tempfile::tempdir().expect("temp dir");
        let run = |args: &[&str]| {
            let out = command(&root.path().join("centre"), args)
                .env("TSUNAGI_PASSWORD", PASSWORD)
                .output()
                .expect("runs the centre");
            assert!(out.status.success(), "centre {args:?}: {}", stderr(&out));
        };
        run(&["init"]);
        for agency in [AGENCY, PARTNER_AGENCY, OTHER_AGENCY] {
            run(&["board", "agency", "add", agency]);
        }
        run(&[
            "board", "user", "add", "aoi", "--agency", AGENCY, "--role", "staff",
        ]);
        run(&[
            "board",
            "user",
            "add",
            "ren",
            "--agency",
            PARTNER_AGENCY,
            "--role",
            "staff",
        ]);
        run(&[
            "board",
            "user",
            "add",
            "sora",
            "--agency",
            OTHER_AGENCY,
            "--role",
            "admin",
        ]);
        run(&["board", "user", "add", "hana", "--researcher"]);
        run(&["board", "user", "add", "kanri", "--centre-admin"]);
        let serve = Serve::start(command(
            &root.path().join("centre"),
            &["serve", "--listen", "127.0.0.1:0"],
        ));
        Self { root, serve }
    }

    fn url(&self, path: &str) -> String {
        format!("https://{}{path}", self.serve.addr)
    }

    /// A browser with its own profile, logged in as `login`.
    fn browser(&self, login: &str) -> Browser {
        let mut browser = Browser::start(&self.root.path().join(format!("browser-{login}")));
        browser.open(&self.url("/login"));
        submit(
            &mut browser,
            &format!(
                "document.getElementById('login').value = '{login}';\
                 document.getElementById('password').value = '{PASSWORD}';"
            ),
            "button[type=submit]",
        );
        assert_eq!(browser.eval("location.pathname"), "/", "{login} logged in");
        browser
    }
}

fn command(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_centre"));
    cmd.arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("TSUNAGI_CENTRE_DATABASE");
    cmd
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Runs `fill` (JavaScript that fills in the page's form) and presses the
/// button `button`, waiting for the page the form leads to.
fn submit(browser: &mut Browser, fill: &str, button: &str) {
    let filled = browser.call(
        "Runtime.evaluate",
        serde_json::json!({"expression": format!(
            "{fill} !!document.querySelector({})", serde_json::Value::from(button)
        ), "returnByValue": true}),
    );
    assert!(
        filled.get("exceptionDetails").is_none(),
        "filling in the form failed: {filled}"
    );
    assert_eq!(filled["result"]["value"], true, "no {button} on the page");
    browser.until_loaded(
        "Runtime.evaluate",
        serde_json::json!({"expression": format!(
            "document.querySelector({}).click();", serde_json::Value::from(button)
        )}),
    );
}

/// The page's text as a person reads it.
fn text(browser: &mut Browser) -> String {
    browser
        .eval("document.body.innerText")
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// JavaScript that sets the form field `id` to `value`.
fn set(id: &str, value: &str) -> String {
    format!(
        "document.getElementById({}).value = {};",
        serde_json::Value::from(id),
        serde_json::Value::from(value)
    )
}

/// Where screenshots go, if anywhere.
fn shots() -> Option<PathBuf> {
    std::env::var_os("TSUNAGI_SCREENSHOTS").map(PathBuf::from)
}

/// Saves the page as `board-NAME-desktop.png` and `board-NAME-tablet.png`
/// when screenshots are asked for.
fn shoot(browser: &mut Browser, name: &str) {
    let Some(dir) = shots() else { return };
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    for (size, width, height) in [("desktop", 1280, 900), ("tablet", 820, 1180)] {
        browser.set_size(width, height);
        let png = browser.full_screenshot();
        std::fs::write(dir.join(format!("board-{name}-{size}.png")), png).expect("writes");
    }
    browser.set_size(1280, 1000);
}

#[test]
fn the_board_works_in_a_browser_and_keeps_a_post_to_the_agencies_chosen() {
    let centre = Centre::start();

    // The author posts to one chosen agency, with script in the title and
    // body.
    let mut author = centre.browser("aoi");
    author.open(&centre.url("/board"));
    author.open(&centre.url("/board/new"));
    // With a PDF chosen in the file input, as a person picks one.
    let pdf = centre.root.path().join("面談資料.pdf");
    std::fs::write(&pdf, b"%PDF-1.4\n%%EOF\n").expect("writes the PDF");
    let input = author.call(
        "Runtime.evaluate",
        serde_json::json!({"expression": "document.getElementById('file')"}),
    );
    author.call(
        "DOM.setFileInputFiles",
        serde_json::json!({"files": [pdf], "objectId": input["result"]["objectId"]}),
    );
    submit(
        &mut author,
        &[
            set("title", TITLE),
            set("category", "techniques"),
            set("kind", "information"),
            set(
                "body",
                "## 工夫\n\n短時間勤務から始めて、**通院日**を固定しました。\n\n<img src=x onerror=\"document.title='pwned'\">",
            ),
            "document.getElementById('visibility-agencies').checked = true;".into(),
            format!(
                "document.querySelector('input[name=agency][value=\"{PARTNER_AGENCY}\"]').checked = true;"
            ),
        ]
        .concat(),
        "form[action='/board/posts'] button[type=submit]",
    );
    let post_path = author
        .eval("location.pathname")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(post_path.starts_with("/board/posts/"), "{post_path}");
    assert_eq!(
        author.eval("document.querySelectorAll('script, img').length"),
        0
    );
    assert_eq!(
        author.eval("document.getElementById('post-title').textContent"),
        TITLE
    );
    assert_eq!(
        author.eval("document.title"),
        format!("{TITLE} — つなぎ 関係者掲示板").as_str(),
        "no script ran to change the title"
    );
    assert!(text(&mut author).contains("通院日"));
    // The file is listed, and comes back as a download that cannot run.
    // (The page's own policy forbids `fetch`: the test lifts it to read
    // the file's headers.)
    assert!(text(&mut author).contains("面談資料.pdf"));
    author.call("Page.setBypassCSP", serde_json::json!({"enabled": true}));
    author.open(&centre.url(&post_path));
    let served = author.call(
        "Runtime.evaluate",
        serde_json::json!({
            "expression": "fetch(document.querySelector('a[href^=\"/board/attachments/\"]').href)\
                .then(r => [r.headers.get('content-disposition'), r.headers.get('content-security-policy')].join(' | '))",
            "awaitPromise": true,
            "returnByValue": true,
        }),
    );
    let served = served["result"]["value"].as_str().unwrap_or_default();
    author.call("Page.setBypassCSP", serde_json::json!({"enabled": false}));
    author.open(&centre.url(&post_path));
    assert!(served.starts_with("attachment;"), "{served}");
    assert!(
        served.ends_with("| sandbox; default-src 'none'"),
        "{served}"
    );

    // A comment, with script in it.
    submit(
        &mut author,
        &set(
            "comment-body",
            "<script>document.title='pwned'</script>補足です。",
        ),
        "form[action$='/comments'] button[type=submit]",
    );
    assert_eq!(author.eval("location.pathname"), post_path.as_str());
    assert!(text(&mut author).contains("<script>document.title='pwned'</script>補足です。"));
    assert_eq!(author.eval("document.querySelectorAll('script').length"), 0);

    // A form whose CSRF token is taken away is refused, and stores nothing.
    submit(
        &mut author,
        &format!(
            "document.querySelector('form[action$=\"/comments\"] input[name=csrf]').remove();{}",
            set("comment-body", "トークンのないコメント")
        ),
        "form[action$='/comments'] button[type=submit]",
    );
    assert!(
        text(&mut author).contains("確認用トークン"),
        "{}",
        text(&mut author)
    );
    author.open(&centre.url(&post_path));
    assert!(!text(&mut author).contains("トークンのないコメント"));

    // Search finds it (Japanese, no spaces between words).
    author.open(&centre.url("/board/search"));
    submit(
        &mut author,
        &set("q", "通院日"),
        "form[role=search] button[type=submit]",
    );
    assert_eq!(
        author.eval(&format!(
            "!!document.querySelector('a[href=\"{post_path}\"]')"
        )),
        true
    );
    drop(author);

    // The chosen agency and a researcher read it.
    for reader in ["ren", "hana"] {
        let mut browser = centre.browser(reader);
        browser.open(&centre.url("/board"));
        assert_eq!(
            browser.eval(&format!(
                "!!document.querySelector('a[href=\"{post_path}\"]')"
            )),
            true,
            "{reader} sees it listed"
        );
        browser.open(&centre.url(&post_path));
        assert!(text(&mut browser).contains("補足です。"), "{reader}");
    }

    // Another agency's administrator: not by list, not by search, and its
    // address says the same as an address with no post.
    let mut outsider = centre.browser("sora");
    outsider.open(&centre.url("/board"));
    assert!(!text(&mut outsider).contains("職場実習"));
    outsider.open(&centre.url("/board/search?q=%E9%80%9A%E9%99%A2%E6%97%A5"));
    assert!(!text(&mut outsider).contains("職場実習"));
    outsider.open(&centre.url(&post_path));
    let hidden = text(&mut outsider);
    outsider.open(&centre.url("/board/posts/987654"));
    let missing = text(&mut outsider);
    assert_eq!(hidden, missing);
    assert!(hidden.contains("その投稿はありません"), "{hidden}");
    assert!(!hidden.contains("職場実習"));
    shoot(&mut outsider, "not-found");
}

/// Whether the page has a link to `path`.
fn links_to(browser: &mut Browser, path: &str) -> bool {
    browser.eval(&format!("!!document.querySelector('a[href=\"{path}\"]')")) == true
}

#[test]
fn the_guard_unread_markers_and_reports_work_as_a_person_meets_them() {
    let centre = Centre::start();
    let mut author = centre.browser("aoi");
    author.open(&centre.url("/board"));
    shoot(&mut author, "list-empty");

    // A phone number in the body: the form comes back with what was found
    // and the text as written; ticking the box posts it.
    author.open(&centre.url("/board/new"));
    shoot(&mut author, "new");
    let fill = [
        set("title", "職場実習の受け入れで工夫したこと"),
        set("category", "techniques"),
        set("kind", "information"),
        set(
            "body",
            "## 工夫したこと\n\n- 実習は**週3日・1日4時間**から始めました\n- 通院日は固定し、事前に事業所へ伝えました\n\n\
             問い合わせは当センター代表 03-1234-5678 まで。",
        ),
        "document.getElementById('visibility-all').checked = true;".into(),
    ]
    .concat();
    submit(
        &mut author,
        &fill,
        "form[action='/board/posts'] button[type=submit]",
    );
    assert_eq!(author.eval("location.pathname"), "/board/posts");
    let page = text(&mut author);
    assert!(page.contains("電話番号「03-1234-5678」"), "{page}");
    assert_eq!(
        author.eval("document.getElementById('body').value.includes('03-1234-5678')"),
        true,
        "the text is kept"
    );
    shoot(&mut author, "guard");
    submit(
        &mut author,
        "document.getElementById('not-personal').checked = true;",
        "form[action='/board/posts'] button[type=submit]",
    );
    let post_path = author
        .eval("location.pathname")
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(post_path.starts_with("/board/posts/"), "{post_path}");

    // Unread for another agency's reader until opened.
    let mut reader = centre.browser("ren");
    reader.open(&centre.url("/board"));
    assert!(links_to(&mut reader, &post_path));
    assert!(text(&mut reader).contains("未読"));
    shoot(&mut reader, "list");
    submit(&mut reader, "", &format!("a[href='{post_path}']"));
    assert_eq!(reader.eval("location.pathname"), post_path.as_str());
    submit(
        &mut reader,
        &set(
            "comment-body",
            "同じ工夫をしています。**通院日の固定**は効果がありました。",
        ),
        "form[action$='/comments'] button[type=submit]",
    );
    shoot(&mut reader, "post");
    reader.open(&centre.url("/board?unread=1"));
    assert!(!links_to(&mut reader, &post_path), "read now");
    reader.open(&centre.url("/board/search?q=%E9%80%9A%E9%99%A2%E6%97%A5"));
    assert!(links_to(&mut reader, &post_path));
    shoot(&mut reader, "search");

    // Reported: hidden from readers until the centre's administrator
    // reviews it.
    reader.open(&centre.url(&post_path));
    submit(
        &mut reader,
        &format!(
            "document.querySelector('details').open = true;{}",
            set(
                "reason",
                "代表番号とのことですが念のため確認をお願いします。"
            )
        ),
        "form[action$='/report'] button[type=submit]",
    );
    assert!(text(&mut reader).contains("通報を受け付けました"));
    reader.open(&centre.url("/board"));
    assert!(
        !links_to(&mut reader, &post_path),
        "hidden after the report"
    );

    let mut admin = centre.browser("kanri");
    admin.open(&centre.url("/board/reports"));
    assert!(text(&mut admin).contains("念のため確認をお願いします"));
    shoot(&mut admin, "reports");
    submit(&mut admin, "", "button[value=restore]");
    assert_eq!(admin.eval("location.pathname"), "/board/reports");
    assert!(text(&mut admin).contains("確認を待つ通報はありません"));
    admin.open(&centre.url("/board/audit"));
    let log = text(&mut admin);
    for action in [
        "ログイン",
        "投稿",
        "コメント",
        "通報（非公開に）",
        "確認して再公開",
    ] {
        assert!(log.contains(action), "{action}: {log}");
    }
    assert!(!log.contains("工夫したこと"), "no title in the audit log");
    shoot(&mut admin, "audit");

    reader.open(&centre.url("/board"));
    assert!(links_to(&mut reader, &post_path), "shown again");

    // The statistics: the centre sees per-agency counts, an agency does not.
    admin.open(&centre.url("/board/stats"));
    let stats = text(&mut admin);
    assert!(stats.contains("機関別"), "{stats}");
    assert!(stats.contains("支援技法"), "{stats}");
    shoot(&mut admin, "stats");
    reader.open(&centre.url("/board/stats"));
    assert!(!text(&mut reader).contains("機関別"));
    admin.open(&centre.url("/admin"));
    shoot(&mut admin, "admin");

    // Its author narrows who may read it: the other agency loses it.
    author.open(&centre.url(&format!("{post_path}/edit")));
    shoot(&mut author, "edit");
    submit(
        &mut author,
        "document.getElementById('visibility-agency').checked = true;",
        "form[action$='/edit'] button[type=submit]",
    );
    // The body still holds the agency's number: the guard asks again.
    assert!(text(&mut author).contains("電話番号「03-1234-5678」"));
    submit(
        &mut author,
        "document.getElementById('not-personal').checked = true;",
        "form[action$='/edit'] button[type=submit]",
    );
    assert_eq!(author.eval("location.pathname"), post_path.as_str());
    reader.open(&centre.url("/board"));
    assert!(!links_to(&mut reader, &post_path), "no longer shared");
}
