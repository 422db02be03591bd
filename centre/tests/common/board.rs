//! What the board's page tests share: a centre with members of three
//! agencies and an administrator, and a logged-in browser that sends forms
//! as the pages' own would.

use axum::http::StatusCode;
use tsunagi_centre::accounts::Role;
use tsunagi_centre::storage::{Agency, Database};
use tsunagi_core::seal::DeviceKeys;

use super::site::{Answer, ORIGIN, Site, form};

/// A member of the fixture's agency, who posts.
pub const AUTHOR: &str = "aoi";
/// A member of the agency a post is shared with.
pub const PARTNER: &str = "ren";
/// A member of a third agency, not chosen.
pub const OUTSIDER: &str = "sora";
/// A centre administrator.
pub const ADMIN: &str = "kanri";
/// The agency a post is shared with.
pub const PARTNER_AGENCY: &str = "別市就労支援センター";
/// The agency not chosen.
pub const OTHER_AGENCY: &str = "遠方県障害者職業センター";

/// A centre with the researcher, a member of the fixture's agency, one
/// member of each of two other registered agencies, and an administrator.
pub fn board_site() -> Site {
    let site = Site::new();
    for name in [PARTNER_AGENCY, OTHER_AGENCY] {
        site.database()
            .add_agency(&Agency::new(name, DeviceKeys::generate().signer()))
            .expect("registers the agency");
    }
    site.add_account(AUTHOR, Site::agency_role());
    site.add_account(PARTNER, Role::Agency(PARTNER_AGENCY.into()));
    site.add_account(OUTSIDER, Role::Agency(OTHER_AGENCY.into()));
    site.add_account(ADMIN, Role::Admin);
    site
}

/// A logged-in browser: its session cookie and the CSRF token its forms
/// carry (read from the new-post form, as a browser would have it).
pub struct Browser {
    /// The session cookie (`name=value`).
    pub cookie: String,
    /// The forms' CSRF token.
    pub csrf: String,
}

/// Logs `login` in through the login form.
pub async fn log_in(site: &Site, login: &str) -> Browser {
    let cookie = site.login(login).await;
    let page = site.get("/board/new", &[&cookie]).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    Browser {
        csrf: page.csrf(),
        cookie,
    }
}

impl Browser {
    /// GET `path` with the session.
    pub async fn get(&self, site: &Site, path: &str) -> Answer {
        site.get(path, &[&self.cookie]).await
    }

    /// POST the form `fields` to `path` with the session, from the
    /// centre's own origin.
    pub async fn post(&self, site: &Site, path: &str, fields: &[(&str, &str)]) -> Answer {
        site.post(path, &form(fields), &[&self.cookie], Some(ORIGIN))
            .await
    }
}
