//! The reference database (共有データベース).
