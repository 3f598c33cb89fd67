pub mod cli;
pub mod config;
pub mod pack;
pub mod kms;
pub mod aws;
pub mod deploy;
