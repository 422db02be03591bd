//! `tsunagi-companion`: the office desktop companion. It receives sealed
//! cases from paired tablets into its own encrypted store, prints the five
//! documents, sends de-identified progress data to the research centre and
//! opens the centre's stakeholder board in the browser.

pub mod board;
pub mod cli;
pub mod discovery;
pub mod documents;
pub mod handing;
pub mod inbox;
pub mod link;
pub mod print;
pub mod reference;
pub mod research;
pub mod saving;
pub mod window;
