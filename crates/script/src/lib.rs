//! script
pub mod models;
