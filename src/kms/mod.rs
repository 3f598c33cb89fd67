//! KMS for recommendation encryption: which keys qualify, what their key policy lacks, the policy
//! to recommend, and (through the SDK) listing keys, reading and writing policies, and CloudTrail.

pub mod activity;
pub mod eligibility;
pub mod keys;
pub mod policy;
