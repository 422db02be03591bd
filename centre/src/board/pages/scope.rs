//! Who may read a post, on a form: the four choices and the agencies to
//! name, drawn with what was chosen, and read back from the posted fields.

use std::fmt::Write;

use super::viewer;
use crate::board::Visibility;
use crate::figures::html_escape;
use crate::pages::SignedIn;

/// The visibility a form's `visibility` field (`chosen`) and its `agency`
/// fields (`named`) choose, or what is missing (Japanese, English).
pub(super) fn read(
    chosen: &str,
    named: &[String],
) -> Result<Visibility, (&'static str, &'static str)> {
    match chosen {
        "centre" => Ok(Visibility::CentreOnly),
        "agency" => Ok(Visibility::MyAgency),
        "agencies" => Ok(Visibility::Agencies(named.to_vec())),
        "all" => Ok(Visibility::AllAgencies),
        _ => Err((
            "公開範囲を選んでください。",
            "Please choose who may read the post.",
        )),
    }
}

/// The two fieldsets: the four choices (「自機関」 left out for the
/// centre's staff) with `chosen` checked, and `agencies` (the registered
/// ones but the writer's own) with `named` ticked.
pub(super) fn fieldsets(
    signed: &SignedIn,
    chosen: &str,
    named: &[String],
    agencies: &[String],
) -> String {
    let is_centre = viewer(signed).is_centre();
    let mut scopes = String::new();
    for v in [
        Visibility::CentreOnly,
        Visibility::MyAgency,
        Visibility::Agencies(Vec::new()),
        Visibility::AllAgencies,
    ] {
        if is_centre && v == Visibility::MyAgency {
            continue;
        }
        let checked = if v.code() == chosen { " checked" } else { "" };
        let _ = write!(
            scopes,
            "<p><input type=\"radio\" id=\"visibility-{code}\" name=\"visibility\" value=\"{code}\"{checked}> \
             <label for=\"visibility-{code}\">{ja} <span class=\"en\" lang=\"en\">{en}</span></label></p>",
            code = v.code(),
            ja = v.label_ja(),
            en = v.label_en(),
        );
    }
    let mut names = String::new();
    for (i, name) in agencies.iter().enumerate() {
        let checked = if named.contains(name) { " checked" } else { "" };
        let _ = write!(
            names,
            "<p><input type=\"checkbox\" id=\"agency-{i}\" name=\"agency\" value=\"{name}\"{checked}> \
             <label for=\"agency-{i}\">{name}</label></p>",
            name = html_escape(name),
        );
    }
    if agencies.is_empty() {
        names.push_str(
            "<p class=\"hint\">ほかに登録された機関はありません。 \
             <span lang=\"en\">No other agency is registered.</span></p>",
        );
    }
    format!(
        "<fieldset class=\"choices\"><legend>公開範囲 <span class=\"en\" lang=\"en\">Who may read it</span></legend>\
         <p class=\"hint\">研究センターはどの投稿も読めます。 <span lang=\"en\">The centre reads every post.</span></p>{scopes}</fieldset>\
         <fieldset class=\"choices\"><legend>公開する機関（「指定した機関」のとき） \
         <span class=\"en\" lang=\"en\">Agencies (for “chosen agencies”)</span></legend>{names}</fieldset>"
    )
}

/// The registered agencies' names but the writer's own and the revoked,
/// for the "chosen agencies" choice.
pub(super) async fn other_agencies(
    centre: &crate::server::Shared,
    signed: &SignedIn,
) -> Result<Vec<String>, axum::response::Response> {
    let own = viewer(signed).agency().map(str::to_owned);
    let agencies = crate::server::with_db(centre, |db| db.all_agencies())
        .await
        .map_err(super::page_failure)?;
    Ok(agencies
        .into_iter()
        .filter(|a| a.revoked_at.is_none() && Some(&a.name) != own.as_ref())
        .map(|a| a.name)
        .collect())
}
