//! The KMS calls behind the key picker and `keys …`: keys streamed page by page with their
//! aliases and metadata, one key by id/alias/ARN, and its policy.

use std::collections::BTreeMap;

use futures_util::future::join_all;

use super::eligibility::{KeyInfo, usage_of_spec};
use crate::aws::{self, ErrorContext};

#[derive(Clone, Debug)]
pub struct Keys {
    kms: aws_sdk_kms::Client,
    pub region: String,
    ctx: ErrorContext,
}

fn info(meta: &aws_sdk_kms::types::KeyMetadata, aliases: Vec<String>) -> KeyInfo {
    #[allow(deprecated)]
    let key_spec = meta
        .key_spec()
        .map(|s| s.as_str().to_owned())
        // Older answers (and some stand-ins) carry only the deprecated CustomerMasterKeySpec.
        .or_else(|| {
            meta.customer_master_key_spec()
                .map(|s| s.as_str().to_owned())
        })
        .unwrap_or_default();
    let key_usage = meta
        .key_usage()
        .map(|s| s.as_str().to_owned())
        .or_else(|| usage_of_spec(&key_spec).map(str::to_owned))
        .unwrap_or_default();
    KeyInfo {
        key_id: meta.key_id().to_owned(),
        arn: meta.arn().unwrap_or_default().to_owned(),
        aliases,
        description: meta.description().unwrap_or_default().to_owned(),
        key_spec,
        key_usage,
        key_state: meta
            .key_state()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
        key_manager: meta
            .key_manager()
            .map(|s| s.as_str().to_owned())
            .unwrap_or_default(),
    }
}

/// Keys of the region, a page at a time, so a UI shows the first ones at once.
pub struct KeyPages {
    keys: Keys,
    marker: Option<String>,
    aliases: Option<BTreeMap<String, Vec<String>>>,
    done: bool,
    page_size: i32,
}

impl KeyPages {
    pub async fn next_page(&mut self) -> Option<Result<Vec<KeyInfo>, aws::Error>> {
        if self.done {
            return None;
        }
        Some(self.fetch().await.inspect_err(|_| self.done = true))
    }

    async fn fetch(&mut self) -> Result<Vec<KeyInfo>, aws::Error> {
        if self.aliases.is_none() {
            self.aliases = Some(self.keys.alias_map().await?);
        }
        let out = self
            .keys
            .kms
            .list_keys()
            .limit(self.page_size)
            .set_marker(self.marker.clone())
            .send()
            .await
            .map_err(|e| aws::Error::from_sdk("kms", "ListKeys", &e, &self.keys.ctx))?;
        self.marker = out
            .next_marker()
            .filter(|m| !m.is_empty())
            .map(str::to_owned);
        self.done = self.marker.is_none();
        let aliases = self.aliases.as_ref().expect("loaded above");
        // DescribeKey for the whole page at once: a page is small and each call is independent.
        let described = join_all(
            out.keys()
                .iter()
                .filter_map(|k| k.key_id())
                .map(|id| self.keys.describe_meta(id)),
        )
        .await;
        let mut infos = Vec::new();
        for d in described {
            let meta = d?;
            let a = aliases.get(meta.key_id()).cloned().unwrap_or_default();
            infos.push(info(&meta, a));
        }
        Ok(infos)
    }
}

impl Keys {
    pub fn new(kms: aws_sdk_kms::Client, region: impl Into<String>, ctx: ErrorContext) -> Keys {
        Keys {
            kms,
            region: region.into(),
            ctx,
        }
    }

    pub fn from_clients(c: &aws::Clients) -> Keys {
        Keys::new(
            aws_sdk_kms::Client::new(c.sdk_config()),
            c.region.clone(),
            c.error_context(),
        )
    }

    pub fn list(&self) -> KeyPages {
        KeyPages {
            keys: self.clone(),
            marker: None,
            aliases: None,
            done: false,
            page_size: 50,
        }
    }

    /// Every key of the region (all pages).
    pub async fn list_all(&self) -> Result<Vec<KeyInfo>, aws::Error> {
        let mut pages = self.list();
        let mut all = Vec::new();
        while let Some(p) = pages.next_page().await {
            all.extend(p?);
        }
        Ok(all)
    }

    async fn alias_map(&self) -> Result<BTreeMap<String, Vec<String>>, aws::Error> {
        let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
        let mut marker = None;
        loop {
            let out = self
                .kms
                .list_aliases()
                .set_marker(marker)
                .send()
                .await
                .map_err(|e| aws::Error::from_sdk("kms", "ListAliases", &e, &self.ctx))?;
            for a in out.aliases() {
                if let (Some(name), Some(target)) = (a.alias_name(), a.target_key_id()) {
                    map.entry(target.to_owned())
                        .or_default()
                        .push(name.to_owned());
                }
            }
            marker = out
                .next_marker()
                .filter(|m| !m.is_empty())
                .map(str::to_owned);
            if marker.is_none() {
                break;
            }
        }
        map.values_mut().for_each(|v| v.sort());
        Ok(map)
    }

    async fn describe_meta(
        &self,
        key: &str,
    ) -> Result<aws_sdk_kms::types::KeyMetadata, aws::Error> {
        let out = self
            .kms
            .describe_key()
            .key_id(key)
            .send()
            .await
            .map_err(|e| aws::Error::from_sdk("kms", "DescribeKey", &e, &self.ctx))?;
        out.key_metadata().cloned().ok_or_else(|| {
            aws::Error::new(
                aws::Category::Resource,
                "DescribeKey",
                format!("KMS returned no metadata for key {key}"),
            )
        })
    }

    /// A key or alias ARN of another region is refused before any call: KMS would answer
    /// "not found", which hides the reason.
    fn in_region(&self, key: &str, operation: &str) -> Result<(), aws::Error> {
        let key_region = crate::arn::region(key);
        if key_region.is_empty() || key_region == self.region {
            return Ok(());
        }
        Err(aws::Error::new(
            aws::Category::Configuration,
            operation,
            format!(
                "key {} is in {key_region}, not {}",
                crate::sanitize::quote(key),
                self.region
            ),
        )
        .with_hint(format!(
            "recommendations must use a key in their own region: choose or create a key in {} (`agentcore-tui keys list` shows them), or pass --region {key_region} to work in {key_region}",
            self.region
        )))
    }

    /// One key by key id, key ARN, alias name (`alias/x`) or alias ARN.
    pub async fn describe(&self, key: &str) -> Result<KeyInfo, aws::Error> {
        self.in_region(key, "DescribeKey")?;
        let meta = self.describe_meta(key).await?;
        let out = self
            .kms
            .list_aliases()
            .key_id(meta.key_id())
            .send()
            .await
            .map_err(|e| aws::Error::from_sdk("kms", "ListAliases", &e, &self.ctx))?;
        let mut aliases: Vec<String> = out
            .aliases()
            .iter()
            .filter_map(|a| a.alias_name().map(str::to_owned))
            .collect();
        aliases.sort();
        Ok(info(&meta, aliases))
    }

    pub async fn policy(&self, key: &str) -> Result<String, aws::Error> {
        self.in_region(key, "GetKeyPolicy")?;
        let out = self
            .kms
            .get_key_policy()
            .key_id(key)
            .policy_name("default")
            .send()
            .await
            .map_err(|e| aws::Error::from_sdk("kms", "GetKeyPolicy", &e, &self.ctx))?;
        Ok(out.policy().unwrap_or_default().to_owned())
    }

    /// Writes the key policy. KMS's own lockout safety check stays on.
    pub async fn put_policy(&self, key: &str, policy: &str) -> Result<(), aws::Error> {
        self.kms
            .put_key_policy()
            .key_id(key)
            .policy_name("default")
            .policy(policy)
            .send()
            .await
            .map_err(|e| aws::Error::from_sdk("kms", "PutKeyPolicy", &e, &self.ctx))?;
        Ok(())
    }

    pub fn client(&self) -> &aws_sdk_kms::Client {
        &self.kms
    }
}

#[cfg(test)]
mod tests {
    use aws_sdk_kms::types::{KeyMetadata, KeySpec};

    use super::info;
    use crate::kms::eligibility::check;

    fn meta(spec: KeySpec) -> KeyMetadata {
        KeyMetadata::builder()
            .key_id("k-1")
            .arn("arn:aws:kms:us-east-1:111122223333:key/k-1")
            .key_spec(spec)
            .key_state(aws_sdk_kms::types::KeyState::Enabled)
            .key_manager(aws_sdk_kms::types::KeyManagerType::Customer)
            .build()
            .unwrap()
    }

    #[test]
    fn a_missing_key_usage_is_inferred_from_the_spec() {
        let k = info(&meta(KeySpec::SymmetricDefault), Vec::new());
        assert_eq!(k.key_usage, "ENCRYPT_DECRYPT");
        assert_eq!(check(&k, "us-east-1"), vec![], "a usable key is usable");
        let h = info(&meta(KeySpec::Hmac256), Vec::new());
        assert_eq!(h.key_usage, "GENERATE_VERIFY_MAC");
        let rsa = info(&meta(KeySpec::Rsa2048), Vec::new());
        assert_eq!(
            rsa.key_usage, "",
            "RSA keys sign or encrypt: nothing to infer"
        );
    }
}
