//! The accounts pages under `/admin` (アカウント管理): the centre's
//! administrator registers agencies and their administrators
//! ([`centre`]); an agency's administrator manages the staff accounts of
//! their own agency ([`agency`]).
//!
//! | route | who | what |
//! |---|---|---|
//! | `GET /admin` | both | the page of the viewer's role; `?done=…` adds a fixed line saying what was just done |
//! | `POST /admin/agencies` | the centre's administrator | registers an agency without a key and its first administrator |
//! | `POST /admin/agency-admins` | the centre's administrator | adds an administrator to a registered agency |
//! | `POST /admin/staff` | an agency's administrator | adds a staff account to their agency |
//! | `POST /admin/accounts/{login}/disable` | both | disables an account the viewer manages; its sessions end at once |
//! | `POST /admin/accounts/{login}/enable` | both | lets it log in again |
//!
//! **Who may do what** is [`Role::manages`]: the centre's administrator
//! manages the agencies' administrators; an agency's administrator manages
//! their own agency's staff; no page manages the centre's own accounts
//! (the command line does). Without a session every route answers 303 to
//! `/login`; a logged-in account of another role (staff, a researcher)
//! gets 404, the same answer as an address that does not exist, and so
//! does an account the viewer does not manage: another agency's, an
//! administrator's, the centre's, or one that does not exist. A page
//! never lists an account the viewer may not see.
//!
//! **Every form** carries the session's CSRF token (403 without it,
//! checked before anything is looked up) and passes the router's
//! `same_origin_posts`. A new account's initial password is typed twice
//! and follows the policy of the password page (at least
//! [`crate::accounts::MIN_PASSWORD_CHARS`] characters); it is hashed with
//! the centre's own hasher (Argon2id), at most
//! [`crate::server::LOGINS_AT_ONCE`] at a time with the logins. After an
//! action the browser is sent back to `GET /admin` (303).
//!
//! **The log** (stderr) gets one line per action and per refusal: who
//! acted (their role and agency), on what kind of account of which agency.
//! Login names, display names and passwords never reach it (see
//! [`crate::accounts`]).

mod agency;
mod centre;

use axum::Router;
use axum::extract::{Form, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use zeroize::Zeroizing;

use super::guard::{SignedIn, signed_in, to_login};
use super::{account_bar, alert, bad_csrf, page_failure};
use crate::accounts::{Account, AccountError, LoginName, Role, check_new_password, display_name};
use crate::figures::html_escape;
use crate::server::{Failure, LOGIN_QUEUE_WAIT, Shared, busy, plain, with_db};
use crate::storage::{Database, StorageError};

/// The routes of this module.
pub(crate) fn people_routes() -> Router<Shared> {
    Router::new()
        .route("/admin", get(home))
        .route("/admin/agencies", post(centre::add_agency))
        .route("/admin/agency-admins", post(centre::add_agency_admin))
        .route("/admin/staff", post(agency::add_staff))
        .route("/admin/accounts/{login}/disable", post(disable))
        .route("/admin/accounts/{login}/enable", post(enable))
}

/// The one answer for a page or an account that is not there for the
/// viewer, whether it exists or not.
fn not_found() -> Response {
    plain(StatusCode::NOT_FOUND, "ページが見つかりません。 Not found.")
}

/// The viewer, if they are logged in and manage accounts; else the answer
/// to give instead (see the module's docs).
async fn manager(centre: &Shared, headers: &HeaderMap) -> Result<SignedIn, Response> {
    match signed_in(centre, headers).await {
        Ok(Some(viewer)) if viewer.account.role.manages_accounts() => Ok(viewer),
        Ok(Some(_)) => Err(not_found()),
        Ok(None) => Err(to_login(headers)),
        Err(failure) => Err(page_failure(failure)),
    }
}

/// Who acted, for the log: their role and agency, never their name.
fn actor(role: &Role) -> String {
    match role {
        Role::Admin => "a centre administrator".to_owned(),
        Role::AgencyAdmin(agency) => format!("an administrator of {agency}"),
        Role::Researcher => "a researcher".to_owned(),
        Role::Agency(agency) => format!("a staff member of {agency}"),
    }
}

/// What kind of account was acted on, for the log.
fn subject(role: &Role) -> String {
    match role {
        Role::Admin => "a centre administrator's account".to_owned(),
        Role::AgencyAdmin(agency) => format!("an administrator's account of {agency}"),
        Role::Researcher => "a researcher's account".to_owned(),
        Role::Agency(agency) => format!("a staff account of {agency}"),
    }
}

/// A line above a page: what was just done, or why a form was refused.
enum Message {
    /// Done (announced politely).
    Done((&'static str, &'static str)),
    /// Refused (announced at once).
    Refused((&'static str, &'static str)),
}

impl Message {
    fn to_html(&self) -> String {
        match self {
            Self::Done((ja, en)) => format!(
                "<p role=\"status\">{}<br><span class=\"en\" lang=\"en\">{}</span></p>",
                html_escape(ja),
                html_escape(en)
            ),
            Self::Refused(words) => alert(*words),
        }
    }
}

/// `?done=…` of `GET /admin`: a code, never text from the request.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Shown {
    done: String,
}

/// The line for a `?done=` code, if it is one.
fn done_message(code: &str) -> Option<Message> {
    let words = match code {
        "agency" => (
            "機関とその最初の管理者を追加しました。",
            "The agency and its first administrator were added.",
        ),
        "admin" => (
            "機関の管理者を追加しました。",
            "The agency's administrator was added.",
        ),
        "staff" => (
            "職員のアカウントを追加しました。",
            "The staff account was added.",
        ),
        "disabled" => (
            "アカウントを無効にしました。そのアカウントのログインはすべて終わりました。",
            "The account was disabled; every session of it has ended.",
        ),
        "enabled" => (
            "アカウントを有効にしました。",
            "The account can log in again.",
        ),
        _ => return None,
    };
    Some(Message::Done(words))
}

/// 303 back to `GET /admin` saying what was done.
fn done(code: &str) -> Response {
    Redirect::to(&format!("/admin?done={code}")).into_response()
}

async fn home(
    State(centre): State<Shared>,
    headers: HeaderMap,
    Query(shown): Query<Shown>,
) -> Response {
    let viewer = match manager(&centre, &headers).await {
        Ok(viewer) => viewer,
        Err(answer) => return answer,
    };
    page(&centre, &viewer, StatusCode::OK, done_message(&shown.done)).await
}

/// The page of the viewer's role with `message` above it.
async fn page(
    centre: &Shared,
    viewer: &SignedIn,
    status: StatusCode,
    message: Option<Message>,
) -> Response {
    let message = message.map(|m| m.to_html()).unwrap_or_default();
    match &viewer.account.role {
        Role::Admin => centre::page_for_centre(centre, viewer, status, &message).await,
        Role::AgencyAdmin(agency) => {
            agency::page_for_agency(centre, viewer, agency, status, &message).await
        }
        Role::Researcher | Role::Agency(_) => not_found(),
    }
}

/// The page with its heading, the account bar and `body`.
fn shell(viewer: &SignedIn, body: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>アカウント管理 — つなぎ研究センター</title><link rel=\"stylesheet\" href=\"/style.css\"></head><body>\
         {bar}<h1>アカウント管理 <small lang=\"en\">Accounts</small></h1>\
         {body}\
         <p><a href=\"/\">研究集計に戻る <span lang=\"en\">Back to the figures</span></a></p>\
         </body></html>\n",
        bar = account_bar(viewer),
    )
}

/// `text` as one segment of a path: every byte but the unreserved ASCII
/// ones percent-encoded, so that a login name with `/`, `?` or `%` makes
/// an address that reads back to it.
fn path_segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The fields of a new account (login name, display name, initial password
/// twice), their ids starting with `prefix` so that two forms on a page
/// keep them apart.
fn account_fields(prefix: &str) -> String {
    format!(
        "<p><label for=\"{prefix}-login\">ログイン名</label> <span class=\"en\" lang=\"en\">Login name</span><br>\
         <input id=\"{prefix}-login\" name=\"login\" autocomplete=\"off\" autocapitalize=\"none\" maxlength=\"64\" required></p>\
         <p><label for=\"{prefix}-display\">表示名（空欄ならログイン名）</label> <span class=\"en\" lang=\"en\">Display name (the login name if left empty)</span><br>\
         <input id=\"{prefix}-display\" name=\"display_name\" autocomplete=\"off\" maxlength=\"100\"></p>\
         <p><label for=\"{prefix}-password\">初期パスワード（12文字以上）</label> <span class=\"en\" lang=\"en\">Initial password (at least 12 characters)</span><br>\
         <input id=\"{prefix}-password\" name=\"password\" type=\"password\" autocomplete=\"new-password\" minlength=\"12\" required></p>\
         <p><label for=\"{prefix}-again\">初期パスワード（もう一度）</label> <span class=\"en\" lang=\"en\">Initial password, again</span><br>\
         <input id=\"{prefix}-again\" name=\"again\" type=\"password\" autocomplete=\"new-password\" minlength=\"12\" required></p>"
    )
}

/// The button that disables or enables `account`, as a small form with
/// the session's CSRF token.
fn toggle_button(viewer: &SignedIn, account: &Account) -> String {
    let (action, ja, en) = if account.disabled {
        ("enable", "有効にする", "Enable")
    } else {
        ("disable", "無効にする", "Disable")
    };
    let who = format!("{}（{}）", account.display_name, account.login.as_str());
    format!(
        "<form method=\"post\" action=\"/admin/accounts/{segment}/{action}\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <button type=\"submit\" aria-label=\"{ja} {en}: {who}\">{ja} <span lang=\"en\">{en}</span></button></form>",
        segment = path_segment(account.login.as_str()),
        csrf = html_escape(&viewer.csrf),
        who = html_escape(&who),
    )
}

/// An account's state as a table cell shows it.
fn state_cell(account: &Account) -> &'static str {
    if account.disabled {
        "無効 <span class=\"en\" lang=\"en\">Disabled</span>"
    } else {
        "有効 <span class=\"en\" lang=\"en\">Active</span>"
    }
}

/// What a new account's form posts (`agency` only on the centre's forms).
#[derive(Default, Deserialize)]
#[serde(default)]
struct NewAccountForm {
    csrf: String,
    agency: String,
    login: String,
    display_name: String,
    password: String,
    again: String,
}

/// The account `posted` asks for, with `role`, and its initial password
/// (wiped on drop); or why it is refused.
fn new_account(
    posted: &mut NewAccountForm,
    role: Role,
) -> Result<(Account, Zeroizing<String>), Message> {
    let password = Zeroizing::new(std::mem::take(&mut posted.password));
    let again = Zeroizing::new(std::mem::take(&mut posted.again));
    let login = LoginName::parse(&posted.login).map_err(|_| {
        Message::Refused((
            "ログイン名は1〜64文字で、空白や制御文字は使えません。何も追加していません。",
            "A login name is 1 to 64 characters, with no spaces or control characters; nothing was added.",
        ))
    })?;
    let display_name = display_name(&posted.display_name, &login).map_err(|_| {
        Message::Refused((
            "表示名は100文字以内で、制御文字は使えません。何も追加していません。",
            "A display name is at most 100 characters, with no control characters; nothing was added.",
        ))
    })?;
    if *password != *again {
        return Err(Message::Refused((
            "初期パスワードが2回で一致しません。何も追加していません。",
            "The two passwords differ; nothing was added.",
        )));
    }
    if let Err(AccountError::PasswordTooShort) = check_new_password(&password) {
        return Err(Message::Refused((
            "初期パスワードは12文字以上にしてください。何も追加していません。",
            "The initial password needs at least 12 characters; nothing was added.",
        )));
    }
    let account = Account {
        login,
        display_name,
        role,
        disabled: false,
        created_at: tsunagi_core::rfc3339::Timestamp::now(),
    };
    Ok((account, password))
}

/// The PHC string of `password` by the centre's hasher, taking one of the
/// login checks' turns; or the answer to give when none comes in time.
async fn hash(centre: &Shared, password: Zeroizing<String>) -> Result<String, Response> {
    let Ok(Ok(_turn)) = tokio::time::timeout(LOGIN_QUEUE_WAIT, centre.logins.acquire()).await
    else {
        return Err(busy(
            "ほかのパスワードを確認中です。しばらくしてからもう一度お試しください。 \
             The centre is checking other passwords just now; try again later.",
        ));
    };
    let hashing = {
        let centre = std::sync::Arc::clone(centre);
        tokio::task::spawn_blocking(move || centre.passwords.hash(&password))
    };
    hashing.await.map_err(|_| Failure::Internal.into_response())
}

/// The page again with why `failure` refused the form, or the answer for
/// a database that failed.
async fn refused_by_storage(centre: &Shared, viewer: &SignedIn, failure: Failure) -> Response {
    let (status, words) = match &failure {
        Failure::Storage(StorageError::AccountExists) => (
            StatusCode::CONFLICT,
            (
                "そのログイン名のアカウントはすでにあります。何も追加していません。",
                "An account with that login name exists already; nothing was added.",
            ),
        ),
        Failure::Storage(StorageError::AgencyExists) => (
            StatusCode::CONFLICT,
            (
                "その名前の機関はすでに登録されています。何も追加していません。",
                "An agency with that name is registered already; nothing was added.",
            ),
        ),
        Failure::Storage(StorageError::NoSuchAgency) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            (
                "その機関は登録されていません。何も追加していません。",
                "No agency is registered under that name; nothing was added.",
            ),
        ),
        _ => return page_failure(failure),
    };
    eprintln!(
        "tsunagi-centre: refused an account form of {}: {}",
        actor(&viewer.account.role),
        words.1
    );
    page(centre, viewer, status, Some(Message::Refused(words))).await
}

/// What adding an account does besides: its `?done=` code and what the
/// log says was done (no name of a person).
struct Added {
    code: &'static str,
    log: String,
}

/// Hashes the password of `account`, then runs `store` with it on the
/// database; the answer is 303 to `GET /admin?done=…` or the page again
/// with why it was refused.
async fn add_and_answer(
    centre: &Shared,
    viewer: &SignedIn,
    (account, password): (Account, Zeroizing<String>),
    store: impl FnOnce(&mut dyn Database, &Account, &str) -> Result<(), StorageError> + Send + 'static,
    added: Added,
) -> Response {
    let hash = match hash(centre, password).await {
        Ok(hash) => hash,
        Err(answer) => return answer,
    };
    match with_db(centre, move |db| store(db, &account, &hash)).await {
        Ok(()) => {
            eprintln!(
                "tsunagi-centre: {} {}",
                actor(&viewer.account.role),
                added.log
            );
            done(added.code)
        }
        Err(failure) => refused_by_storage(centre, viewer, failure).await,
    }
}

/// What the disable and enable buttons post.
#[derive(Default, Deserialize)]
#[serde(default)]
struct CsrfOnly {
    csrf: String,
}

async fn disable(
    State(centre): State<Shared>,
    headers: HeaderMap,
    Path(login): Path<String>,
    Form(posted): Form<CsrfOnly>,
) -> Response {
    set_disabled(&centre, &headers, login, &posted, true).await
}

async fn enable(
    State(centre): State<Shared>,
    headers: HeaderMap,
    Path(login): Path<String>,
    Form(posted): Form<CsrfOnly>,
) -> Response {
    set_disabled(&centre, &headers, login, &posted, false).await
}

/// Disables (ending its sessions in the same transaction) or enables the
/// account `login` if the viewer manages it; 404 otherwise, whether or not
/// it exists.
async fn set_disabled(
    centre: &Shared,
    headers: &HeaderMap,
    login: String,
    posted: &CsrfOnly,
    disable: bool,
) -> Response {
    let viewer = match manager(centre, headers).await {
        Ok(viewer) => viewer,
        Err(answer) => return answer,
    };
    if !viewer.csrf_matches(&posted.csrf) {
        return bad_csrf();
    }
    let acting = viewer.account.role.clone();
    let changed = with_db(centre, move |db| {
        let Some((target, _)) = db.account(&login)? else {
            return Ok(None);
        };
        if !acting.manages(&target.role) {
            return Ok(None);
        }
        if disable {
            db.disable_account(&login)?;
        } else {
            db.enable_account(&login)?;
        }
        Ok(Some(target.role))
    })
    .await;
    let verb = if disable { "disable" } else { "enable" };
    match changed {
        Ok(Some(role)) => {
            eprintln!(
                "tsunagi-centre: {} {verb}d {}",
                actor(&viewer.account.role),
                subject(&role)
            );
            done(if disable { "disabled" } else { "enabled" })
        }
        Ok(None) => {
            eprintln!(
                "tsunagi-centre: refused to {verb} an account for {}: none it manages has that name",
                actor(&viewer.account.role)
            );
            not_found()
        }
        Err(failure) => page_failure(failure),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_login_name_makes_one_path_segment() {
        assert_eq!(path_segment("tanaka-1.a_b~"), "tanaka-1.a_b~");
        assert_eq!(path_segment("a/b?c%d#"), "a%2Fb%3Fc%25d%23");
        assert_eq!(path_segment("田"), "%E7%94%B0");
    }

    #[test]
    fn only_known_codes_make_a_line_and_none_repeats_the_request() {
        assert!(done_message("disabled").is_some());
        assert!(done_message("<script>").is_none());
        assert!(done_message("").is_none());
    }
}
