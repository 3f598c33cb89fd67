
pub mod aws;
pub mod deploy;
pub mod cli;
pub mod config;
pub mod pack;
pub mod tui;
pub mod kms;
pub mod recommend;
