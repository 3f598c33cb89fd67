//! Every resource's tags, each key and value traced to where it came from.

use aws_models::model;
use serde_json::json;

use super::finding::Checks;
use super::sites::*;
use super::source::{config, pack};
use crate::config::DeployConfig;
use crate::config::tags::{TAG_AGENT, TAG_PACK_ID, TAG_VERSION, Tags};

/// A resource's tags: every key and value where it came from, and their number.
pub(super) fn tags(c: &mut Checks, site: Site, tags: &Tags, cfg: &DeployConfig) {
    for (k, v) in tags {
        if cfg.tags.get(k) == Some(v) {
            user_tag(c, site, k, v);
            continue;
        }
        let source = match k.as_str() {
            TAG_PACK_ID => self::pack("id"),
            TAG_VERSION => self::pack("version"),
            TAG_AGENT => self::pack(format!("agents.members.{v}")),
            _ => config(format!("tags.{k}")),
        };
        let label = format!("{} (tag {k})", source.path);
        c.text(&source.labelled(label), site, ".value", v);
    }
    let defaults = tags.keys().filter(|k| !cfg.tags.contains_key(*k)).count();
    let note = format!(
        "every resource also gets {defaults} promptpack:* tag(s), so at most {} of your own fit",
        tag_limit(site).saturating_sub(defaults)
    );
    c.size(&config("tags"), site, &json!(tags), Some(&note));
}

pub(super) fn user_tag(c: &mut Checks, site: Site, k: &str, v: &str) {
    let field = format!("tags.{k}");
    c.text(
        &config(field.clone()).labelled(format!("key of {field}")),
        site,
        ".key",
        k,
    );
    c.text(&config(field), site, ".value", v);
}

/// The model's maximum number of tags at `site`.
pub(super) fn tag_limit(site: Site) -> usize {
    model(site.service)
        .member_shape(site.operation, site.member)
        .and_then(|s| s.max)
        .map_or(usize::MAX, |m| m as usize)
}
