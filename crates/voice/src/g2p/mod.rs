pub mod ja;
pub mod zh;
