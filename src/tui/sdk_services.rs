//! [`AwsServices`] on top of the crate's own AWS layer (`crate::aws`, `crate::kms`): no SDK type
//! crosses into the TUI. Clients are built once per target and region; the local emulator is
//! started on first use and kept alive for the whole session, with the same persistent world
//! as the headless `--local` commands.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::stream::{self, BoxStream, StreamExt};
use tokio::sync::Mutex;

use super::services::{AwsServices, AwsTarget, CallerIdentity, KeyInfo, ServiceError};
use crate::aws::{self, Clients, ConnectOptions};
use crate::kms::keys::Keys;

#[derive(Clone, Default)]
pub struct SdkServices {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    clients: Mutex<HashMap<(AwsTarget, String), Clients>>,
    local_state_file: Option<PathBuf>,
}

impl SdkServices {
    pub fn new(local_state_file: Option<PathBuf>) -> Self {
        Self {
            inner: Arc::new(Inner {
                clients: Mutex::default(),
                local_state_file,
            }),
        }
    }
}

fn service_error(e: aws::Error) -> ServiceError {
    ServiceError {
        category: e.category.to_string(),
        message: e.message,
        hint: e.hint,
    }
}

impl Inner {
    async fn clients(&self, target: &AwsTarget, region: &str) -> Result<Clients, ServiceError> {
        let mut cache = self.clients.lock().await;
        if let Some(c) = cache.get(&(target.clone(), region.to_string())) {
            return Ok(c.clone());
        }
        let clients = match target {
            AwsTarget::Profile(p) => Clients::connect(&ConnectOptions {
                profile: Some(p.clone()),
                region: Some(region.to_string()),
                ..ConnectOptions::default()
            })
            .await
            .map_err(service_error)?,
            AwsTarget::Local => {
                // One emulator for the session: other regions reuse its endpoint, and the
                // first clients (which own it) stay in the cache.
                let running = cache
                    .iter()
                    .find(|((t, _), _)| *t == AwsTarget::Local)
                    .and_then(|(_, c)| c.endpoint_url.clone());
                match running {
                    Some(url) => Clients::for_endpoint(&url, region)
                        .await
                        .map_err(service_error)?,
                    None => {
                        aws::local::start(region, self.local_state_file.clone())
                            .await
                            .map_err(service_error)?
                            .0
                    }
                }
            }
        };
        cache.insert((target.clone(), region.to_string()), clients.clone());
        Ok(clients)
    }
}

impl AwsServices for SdkServices {
    fn profiles(&self) -> BoxFuture<'static, Result<Vec<String>, ServiceError>> {
        Box::pin(async {
            tokio::task::spawn_blocking(profile_names)
                .await
                .map_err(|e| ServiceError {
                    category: "configuration".into(),
                    message: format!("reading the AWS config files failed: {e}"),
                    hint: None,
                })
        })
    }

    fn caller_identity(
        &self,
        target: AwsTarget,
        region: String,
    ) -> BoxFuture<'static, Result<CallerIdentity, ServiceError>> {
        let inner = self.inner.clone();
        Box::pin(async move {
            let clients = inner.clients(&target, &region).await?;
            let id = clients.caller_identity().await.map_err(service_error)?;
            Ok(CallerIdentity {
                account: id.account,
                arn: id.arn,
            })
        })
    }

    fn kms_keys(
        &self,
        target: AwsTarget,
        region: String,
    ) -> BoxStream<'static, Result<Vec<KeyInfo>, ServiceError>> {
        let inner = self.inner.clone();
        let start = async move {
            match inner.clients(&target, &region).await {
                Ok(c) => {
                    let pages = Keys::from_clients(&c).list();
                    stream::unfold(pages, |mut pages| async move {
                        pages
                            .next_page()
                            .await
                            .map(|page| (page.map_err(service_error), pages))
                    })
                    .boxed()
                }
                Err(e) => stream::once(async { Err(e) }).boxed(),
            }
        };
        stream::once(start).flatten().boxed()
    }
}

/// Profile names from `~/.aws/config` (`[profile x]`, `[default]`) and `~/.aws/credentials`
/// (`[x]`), honouring `AWS_CONFIG_FILE` / `AWS_SHARED_CREDENTIALS_FILE`. SSO sessions are not
/// profiles and are left out.
pub fn profile_names() -> Vec<String> {
    let home = directories::BaseDirs::new().map(|b| b.home_dir().join(".aws"));
    let file = |env: &str, name: &str| {
        std::env::var_os(env)
            .map(PathBuf::from)
            .or_else(|| home.as_ref().map(|h| h.join(name)))
    };
    let mut names = Vec::new();
    if let Some(text) =
        file("AWS_CONFIG_FILE", "config").and_then(|p| std::fs::read_to_string(p).ok())
    {
        names.extend(
            sections(&text)
                .filter_map(|s| {
                    if s == "default" {
                        Some(s)
                    } else {
                        s.strip_prefix("profile ").map(str::trim)
                    }
                })
                .map(String::from),
        );
    }
    if let Some(text) = file("AWS_SHARED_CREDENTIALS_FILE", "credentials")
        .and_then(|p| std::fs::read_to_string(p).ok())
    {
        names.extend(sections(&text).map(String::from));
    }
    names.sort();
    names.dedup();
    names
}

fn sections(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('[')?.strip_suffix(']'))
        .map(str::trim)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_read_from_config_and_credentials_syntax() {
        let config = "[default]\nregion=us-east-1\n[profile dev]\nsso_session = corp\n[sso-session corp]\n[ profile  prod ]\n";
        let found: Vec<&str> = sections(config).collect();
        assert_eq!(
            found,
            [
                "default",
                "profile dev",
                "sso-session corp",
                "profile  prod"
            ]
        );
    }
}
