//! KMS for recommendation encryption: key eligibility, key policies, key listing and CloudTrail.
//!
//! Which keys qualify, what their key policy lacks, the policy to recommend, and (through the SDK)
//! listing keys, reading and writing policies, and the CloudTrail activity of a key.

pub mod activity;
pub mod eligibility;
pub mod keys;
pub mod policy;
