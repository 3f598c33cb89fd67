pub mod aws;
pub mod cli;
pub mod config;
pub mod deploy;
pub mod kms;
pub mod pack;
pub mod recommend;
pub mod tui;
