//! An agency administrator's side of `/admin`: the accounts of their own
//! agency (its administrators and its staff; a button to disable or enable
//! each staff account) and a form to add a staff account. The agency is
//! always the viewer's own, from their session: no address or form field
//! names another.

use std::fmt::Write as _;

use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::{
    Added, NewAccountForm, account_fields, add_and_answer, manager, new_account, not_found, page,
    shell, state_cell, toggle_button,
};
use crate::accounts::{Account, Role};
use crate::figures::html_escape;
use crate::pages::{SignedIn, bad_csrf, html, page_failure};
use crate::server::{Shared, with_db};

/// The page of an administrator of `agency`, with `message` (HTML) above
/// it.
pub(super) async fn page_for_agency(
    centre: &Shared,
    viewer: &SignedIn,
    agency: &str,
    status: StatusCode,
    message: &str,
) -> Response {
    let mine = agency.to_owned();
    let loaded = with_db(centre, move |db| {
        Ok(db
            .accounts()?
            .into_iter()
            .filter(|a| a.role.agency() == Some(mine.as_str()))
            .collect::<Vec<_>>())
    })
    .await;
    match loaded {
        Ok(accounts) => html(
            status,
            shell(viewer, &body(viewer, agency, &accounts, message)),
        ),
        Err(failure) => page_failure(failure),
    }
}

fn body(viewer: &SignedIn, agency: &str, accounts: &[Account], message: &str) -> String {
    let mut out = format!(
        "<p class=\"meta\">機関：{agency}<br><span class=\"en\" lang=\"en\">Agency: {agency}</span></p>{message}\
         <h2>この機関のアカウント <small lang=\"en\">This agency's accounts</small></h2>\
         <table><thead><tr>\
         <th scope=\"col\">ログイン名 <span class=\"en\" lang=\"en\">Login name</span></th>\
         <th scope=\"col\">表示名 <span class=\"en\" lang=\"en\">Display name</span></th>\
         <th scope=\"col\">役割 <span class=\"en\" lang=\"en\">Role</span></th>\
         <th scope=\"col\">状態 <span class=\"en\" lang=\"en\">State</span></th>\
         <th scope=\"col\">操作 <span class=\"en\" lang=\"en\">Action</span></th>\
         </tr></thead><tbody>",
        agency = html_escape(agency),
    );
    for account in accounts {
        let (role_ja, role_en) = account.role.label();
        let action = if viewer.account.role.manages(&account.role) {
            toggle_button(viewer, account)
        } else {
            String::new()
        };
        let _ = write!(
            out,
            "<tr><th scope=\"row\">{login}</th><td>{name}</td>\
             <td>{role_ja} <span class=\"en\" lang=\"en\">{role_en}</span></td>\
             <td>{state}</td><td>{action}</td></tr>",
            login = html_escape(account.login.as_str()),
            name = html_escape(&account.display_name),
            state = state_cell(account),
        );
    }
    let _ = write!(
        out,
        "</tbody></table>\
         <h2 id=\"new-staff-heading\">職員のアカウントを追加 <small lang=\"en\">Add a staff account</small></h2>\
         <p class=\"note\">初期パスワードは本人に安全な方法で伝え、ログイン後に「パスワードの変更」で変えてもらってください。<br>\
         <span class=\"en\" lang=\"en\">Give the initial password to its owner safely, and ask them to change it under “Password” once logged in.</span></p>\
         <form method=\"post\" action=\"/admin/staff\" aria-labelledby=\"new-staff-heading\">\
         <input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">\
         {fields}\
         <p><button type=\"submit\">追加する <span lang=\"en\">Add</span></button></p></form>",
        csrf = html_escape(&viewer.csrf),
        fields = account_fields("staff"),
    );
    out
}

/// `POST /admin/staff`: adds a staff account to the viewer's own agency
/// (an `agency` field, if one is posted, is not read).
pub(in crate::pages) async fn add_staff(
    State(centre): State<Shared>,
    headers: HeaderMap,
    Form(mut posted): Form<NewAccountForm>,
) -> Response {
    let viewer = match manager(&centre, &headers).await {
        Ok(viewer) => viewer,
        Err(answer) => return answer,
    };
    let Role::AgencyAdmin(agency) = viewer.account.role.clone() else {
        return not_found();
    };
    if !viewer.csrf_matches(&posted.csrf) {
        return bad_csrf();
    }
    let request = match new_account(&mut posted, Role::Agency(agency.clone())) {
        Ok(request) => request,
        Err(message) => {
            return page(
                &centre,
                &viewer,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(message),
            )
            .await;
        }
    };
    let added = Added {
        code: "staff",
        log: format!("added a staff account of {agency}"),
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
