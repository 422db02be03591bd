//! The Tsunagi tablet app: the Slint window and the scripting command line,
//! both thin shells over `tsunagi-core`.

pub mod cli;
mod login;
pub mod window;
