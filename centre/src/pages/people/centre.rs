//! The centre administrator's side of `/admin`: every registered agency
//! (whether it sends research data, its administrators with a button each
//! to disable or enable them, how many staff accounts it has), a form to
//! register an agency for the board together with its first
//! administrator, and a form to add an administrator to an agency already
//! registered (one that sends research data, or one whose administrator
//! has left).

use std::fmt::Write as _;

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{
    Added, Message, NewAccountForm, account_fields, add_and_answer, manager, new_account,
    not_found, page, shell, state_cell, toggle_button,
};
use crate::accounts::{Account, Role, agency_name};
use crate::figures::html_escape;
use crate::pages::{SignedIn, bad_csrf, html, page_failure};
use crate::server::{Shared, with_db};
use crate::storage::{AgencyEntry, StorageError};

/// The centre administrator's page, with `message` (HTML) above it.
pub(super) async fn page_for_centre(
    centre: &Shared,
    viewer: &SignedIn,
    status: StatusCode,
    message: &str,
) -> Response {
    let loaded = with_db(centre, |db| Ok((db.all_agencies()?, db.accounts()?))).await;
    match loaded {
        Ok((agencies, accounts)) => html(
            status,
            shell(viewer, &body(viewer, &agencies, &accounts, message)),
        ),
        Err(failure) => page_failure(failure),
    }
}

fn body(
    viewer: &SignedIn,
    agencies: &[AgencyEntry],
    accounts: &[Account],
    message: &str,
) -> String {
    let mut out = String::from(message);
    out.push_str("<h2>機関 <small lang=\"en\">Agencies</small></h2>");
    if agencies.is_empty() {
        out.push_str(
            "<p>まだ機関は登録されていません。<br>\
             <span class=\"en\" lang=\"en\">No agency is registered yet.</span></p>",
        );
    } else {
        out.push_str(
            "<table><thead><tr>\
             <th scope=\"col\">機関名 <span class=\"en\" lang=\"en\">Agency</span></th>\
             <th scope=\"col\">研究データ <span class=\"en\" lang=\"en\">Research data</span></th>\
             <th scope=\"col\">管理者 <span class=\"en\" lang=\"en\">Administrators</span></th>\
             <th scope=\"col\">職員数 <span class=\"en\" lang=\"en\">Staff</span></th>\
             </tr></thead><tbody>",
        );
        for agency in agencies {
            agency_row(&mut out, viewer, agency, accounts);
        }
        out.push_str("</tbody></table>");
    }
    let _ = write!(
        out,
        "<h2 id=\"new-agency-heading\">機関とその最初の管理者を追加 <small lang=\"en\">Add an agency and its first administrator</small></h2>\
         <p class=\"note\">機関は署名鍵なしで登録され、掲示板を使えます。研究データを受け取るには、コマンド <code>agency add 機関名 --key FILE</code> で鍵を追加してください。<br>\
         <span class=\"en\" lang=\"en\">The agency is registered without a signing key and can use the board. Its research data is taken once its key is added with <code>agency add NAME --key FILE</code>.</span></p>\
         <form method=\"post\" action=\"/admin/agencies\" aria-labelledby=\"new-agency-heading\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         <p><label for=\"new-agency\">機関名</label> <span class=\"en\" lang=\"en\">Agency name</span><br>\
         <input id=\"new-agency\" name=\"agency\" maxlength=\"100\" required></p>\
         {fields}\
         <p><button type=\"submit\">追加する <span lang=\"en\">Add</span></button></p></form>",
        csrf = html_escape(&viewer.csrf),
        fields = account_fields("new"),
    );
    if !agencies.is_empty() {
        let _ = write!(
            out,
            "<h2 id=\"more-admin-heading\">登録済みの機関に管理者を追加 <small lang=\"en\">Add an administrator to a registered agency</small></h2>\
             <form method=\"post\" action=\"/admin/agency-admins\" aria-labelledby=\"more-admin-heading\">\
             <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
             <p><label for=\"more-agency\">機関</label> <span class=\"en\" lang=\"en\">Agency</span><br>\
             <select id=\"more-agency\" name=\"agency\" required>",
            csrf = html_escape(&viewer.csrf),
        );
        for agency in agencies {
            let name = html_escape(&agency.name);
            let _ = write!(out, "<option value=\"{name}\">{name}</option>");
        }
        let _ = write!(
            out,
            "</select></p>{fields}\
             <p><button type=\"submit\">追加する <span lang=\"en\">Add</span></button></p></form>",
            fields = account_fields("more"),
        );
    }
    out
}

/// One agency's row: its name, whether it sends research data, its
/// administrators, how many staff accounts it has.
fn agency_row(out: &mut String, viewer: &SignedIn, agency: &AgencyEntry, accounts: &[Account]) {
    let of_agency = || {
        accounts
            .iter()
            .filter(|a| a.role.agency() == Some(agency.name.as_str()))
    };
    let staff = of_agency()
        .filter(|a| matches!(a.role, Role::Agency(_)))
        .count();
    let mut research = match agency.signer {
        Some(_) => "署名鍵あり <span class=\"en\" lang=\"en\">Key registered</span>".to_owned(),
        None => {
            "署名鍵なし（掲示板のみ） <span class=\"en\" lang=\"en\">No key (board only)</span>"
                .to_owned()
        }
    };
    if agency.revoked_at.is_some() {
        research.push_str("<br>登録取消 <span class=\"en\" lang=\"en\">Revoked</span>");
    }
    let mut admins = String::new();
    for admin in of_agency().filter(|a| matches!(a.role, Role::AgencyAdmin(_))) {
        let _ = write!(
            admins,
            "<li>{name}（{login}） {state} {button}</li>",
            name = html_escape(&admin.display_name),
            login = html_escape(admin.login.as_str()),
            state = state_cell(admin),
            button = toggle_button(viewer, admin),
        );
    }
    let admins = if admins.is_empty() {
        "なし <span class=\"en\" lang=\"en\">None</span>".to_owned()
    } else {
        format!("<ul>{admins}</ul>")
    };
    let _ = write!(
        out,
        "<tr><th scope=\"row\">{name}</th><td>{research}</td><td>{admins}</td><td class=\"n\">{staff}</td></tr>",
        name = html_escape(&agency.name),
    );
}

/// The centre administrator, or the answer to give anyone else; and the
/// form's CSRF token checked.
async fn centre_admin(
    centre: &Shared,
    headers: &HeaderMap,
    csrf: &str,
) -> Result<SignedIn, Response> {
    let viewer = manager(centre, headers).await?;
    if viewer.account.role != Role::Admin {
        return Err(not_found());
    }
    if !viewer.csrf_matches(csrf) {
        return Err(bad_csrf());
    }
    Ok(viewer)
}

/// The page again, refusing the form with `message`.
async fn refuse(centre: &Shared, viewer: &SignedIn, message: Message) -> Response {
    page(
        centre,
        viewer,
        StatusCode::UNPROCESSABLE_ENTITY,
        Some(message),
    )
    .await
}

/// The message for an agency's name that cannot be registered.
fn bad_agency_name() -> Message {
    Message::Refused((
        "機関名は1〜100文字で、制御文字は使えません。何も追加していません。",
        "An agency's name is 1 to 100 characters, with no control characters; nothing was added.",
    ))
}

/// `POST /admin/agencies`: registers the agency without a key, then adds
/// its first administrator. A login name already taken is found before
/// the agency is registered, so that a refusal leaves nothing behind.
pub(in crate::pages) async fn add_agency(
    State(centre): State<Shared>,
    headers: HeaderMap,
    Form(mut posted): Form<NewAccountForm>,
) -> Response {
    let viewer = match centre_admin(&centre, &headers, &posted.csrf).await {
        Ok(viewer) => viewer,
        Err(answer) => return answer,
    };
    let Ok(agency) = agency_name(&posted.agency) else {
        return refuse(&centre, &viewer, bad_agency_name()).await;
    };
    let request = match new_account(&mut posted, Role::AgencyAdmin(agency.clone())) {
        Ok(request) => request,
        Err(message) => return refuse(&centre, &viewer, message).await,
    };
    let added = Added {
        code: "agency",
        log: format!("registered the agency {agency} without a key, with its first administrator"),
    };
    add_and_answer(
        &centre,
        &viewer,
        request,
        move |db, account, hash| {
            if db.account(account.login.as_str())?.is_some() {
                return Err(StorageError::AccountExists);
            }
            db.add_agency_without_key(&agency)?;
            db.add_account(account, hash)
        },
        added,
    )
    .await
}

/// `POST /admin/agency-admins`: adds an administrator to an agency that is
/// registered already.
pub(in crate::pages) async fn add_agency_admin(
    State(centre): State<Shared>,
    headers: HeaderMap,
    Form(mut posted): Form<NewAccountForm>,
) -> Response {
    let viewer = match centre_admin(&centre, &headers, &posted.csrf).await {
        Ok(viewer) => viewer,
        Err(answer) => return answer,
    };
    let Ok(agency) = agency_name(&posted.agency) else {
        return refuse(&centre, &viewer, bad_agency_name()).await;
    };
    let request = match new_account(&mut posted, Role::AgencyAdmin(agency.clone())) {
        Ok(request) => request,
        Err(message) => return refuse(&centre, &viewer, message).await,
    };
    let added = Added {
        code: "admin",
        log: format!("added an administrator's account of {agency}"),
    };
    add_and_answer(
        &centre,
        &viewer,
        request,
        |db, account, hash| db.add_account(account, hash),
        added,
    )
    .await
}
