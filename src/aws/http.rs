//! The HTTP client every SDK client shares: the SDK's default hyper/rustls stack, except that a
//! refused connection is final. The SDK retries any I/O error with backoff (8 attempts take about
//! 10 s), but nothing listening on the port will not start listening within a retry's wait, and a
//! user who typed a wrong port should hear so at once.

use aws_smithy_http_client::{ConnectorBuilder, proxy::ProxyConfig, tls};
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;

/// The default HTTPS client (rustls, proxy settings from the environment) with refused
/// connections not retried.
pub fn client() -> SharedHttpClient {
    let inner =
        aws_smithy_http_client::Builder::new().build_with_connector_fn(|settings, components| {
            let mut conn = ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(
                tls::rustls_provider::CryptoMode::AwsLc,
            ));
            conn.set_connector_settings(settings.cloned());
            if let Some(components) = components {
                conn.set_sleep_impl(components.sleep_impl());
            }
            conn.set_proxy_config(Some(ProxyConfig::from_env()));
            conn.build()
        });
    SharedHttpClient::new(RefusedIsFinal(inner))
}

/// True when the error (or anything it wraps) is the OS saying nothing listens on the port.
pub fn is_connection_refused(err: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(err);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        next = e.source();
    }
    false
}

#[derive(Debug)]
struct RefusedIsFinal(SharedHttpClient);

impl HttpClient for RefusedIsFinal {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(RefusedIsFinalConnector(
            self.0.http_connector(settings, components),
        ))
    }

    fn connector_metadata(
        &self,
    ) -> Option<aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata> {
        self.0.connector_metadata()
    }
}

#[derive(Debug)]
struct RefusedIsFinalConnector(SharedHttpConnector);

impl HttpConnector for RefusedIsFinalConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let call = self.0.call(request);
        HttpConnectorFuture::new(async move {
            call.await.map_err(|e| {
                if e.is_io() && is_connection_refused(&e) {
                    // `Other` with no retry kind: the SDK's classifiers leave it unretried.
                    ConnectorError::other(Box::new(e), None)
                } else {
                    e
                }
            })
        })
    }
}
