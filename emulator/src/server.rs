//! The HTTP side: accept loop (so a fault can drop a connection), routing by protocol, faults,
//! and persistence after every change.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, State};
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tower::ServiceExt;

use crate::conformance::{self, ModelCheck, Recorded};
use crate::faults::{FaultDice, Faults, Outcome};
use crate::timing::Timing;
use crate::wire::{self, ApiError, Protocol, amz_json_response, json_response};
use crate::world::{Ctx, DEFAULT_ACCOUNT, WorldState};
use crate::{
    Config, Error, World, clock, cloudtrail, control, demo, iam, invoke, kms, logs,
    recommendations, s3, store, sts,
};

pub(crate) struct Shared {
    world: Mutex<WorldState>,
    dice: Mutex<FaultDice>,
    timing: Timing,
    /// Taken under its own lock, then the world's: one save at a time, in order.
    store: Mutex<Option<store::Store>>,
    models: ModelCheck,
    violations: conformance::Log,
}

/// Closes the connection a request arrived on, without an answer.
#[derive(Clone)]
struct ConnKill(Arc<Notify>);

pub struct Emulator {
    port: u16,
    account: String,
    shared: Arc<Shared>,
    stop: watch::Sender<bool>,
    task: Option<tokio::task::JoinHandle<()>>,
    migrated: Option<PathBuf>,
}

impl Emulator {
    pub async fn start(config: Config) -> Result<Emulator, Error> {
        let now = chrono::Utc::now();
        let state_err = |message| Error::StateFile {
            path: config.state_file.clone().unwrap_or_default(),
            message,
        };
        let opened = match &config.state_file {
            Some(path) => Some(store::open(path).map_err(state_err)?),
            None => None,
        };
        let (mut store, loaded, migrated) = match opened {
            Some(o) => (Some(o.store), o.world, o.migrated),
            None => (None, None, None),
        };
        let mut world = loaded.unwrap_or_else(|| {
            let mut w = match config.world {
                World::Demo => demo::build(now),
                World::Empty => WorldState::empty(DEFAULT_ACCOUNT),
            };
            demo::seed_recommendations(&mut w, config.recommendations, now);
            w
        });
        world.caller = config.caller;
        if let Some(store) = &mut store {
            store.save(&mut world).map_err(state_err)?;
        }
        let listener = TcpListener::bind(("127.0.0.1", config.port))
            .await
            .map_err(|source| Error::Bind {
                port: config.port,
                source,
            })?;
        let port = listener
            .local_addr()
            .map_err(|source| Error::Bind {
                port: config.port,
                source,
            })?
            .port();
        let account = world.account.clone();
        let shared = Arc::new(Shared {
            world: Mutex::new(world),
            dice: Mutex::new(FaultDice::new(config.faults)),
            timing: config.timing,
            store: Mutex::new(store),
            models: config.models,
            violations: conformance::Log::default(),
        });
        let router = Router::new()
            .fallback(dispatch)
            .layer(DefaultBodyLimit::max(512 * 1024 * 1024))
            .with_state(shared.clone());
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(accept_loop(listener, router, stop_rx));
        Ok(Emulator {
            port,
            account,
            shared,
            stop,
            task: Some(task),
            migrated,
        })
    }

    pub fn endpoint_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Where a format-1 JSON state file was kept when this start moved it into the database.
    pub fn migrated_state_file(&self) -> Option<&std::path::Path> {
        self.migrated.as_deref()
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn account_id(&self) -> &str {
        &self.account
    }

    /// The role (path included) whose session signs the calls.
    pub fn caller_role_arn(&self) -> String {
        self.shared
            .world
            .lock()
            .expect("world lock")
            .caller_role_arn()
    }

    pub fn set_faults(&self, faults: Faults) {
        *self.shared.dice.lock().expect("fault lock") = FaultDice::new(faults);
    }

    /// Every request and answer that broke its AWS model since start, request or response.
    pub fn violations(&self) -> Vec<Recorded> {
        self.shared.violations.all()
    }

    pub fn resource_counts(&self) -> std::collections::BTreeMap<String, usize> {
        let mut w = self.shared.world.lock().expect("world lock");
        clock::tick(&mut w, chrono::Utc::now(), &self.shared.timing);
        w.counts()
    }

    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
        close(&self.shared);
    }
}

/// A dropped emulator stops listening and closes its state database (saved after every
/// change), so another can open it.
impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        close(&self.shared);
    }
}

fn close(shared: &Shared) {
    persist(shared);
    shared.store.lock().expect("store lock").take();
}

async fn accept_loop(listener: TcpListener, router: Router, mut stop: watch::Receiver<bool>) {
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((s, _)) => s,
                Err(e) => {
                    tracing::warn!("emulator accept failed: {e}");
                    continue;
                }
            },
            _ = stop.changed() => return,
        };
        let _ = stream.set_nodelay(true);
        let kill = Arc::new(Notify::new());
        let router = router.clone();
        let conn_kill = kill.clone();
        let svc =
            hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnKill(conn_kill.clone()));
                router.clone().oneshot(req)
            });
        let mut stop = stop.clone();
        tokio::spawn(async move {
            let conn = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), svc);
            tokio::select! {
                _ = conn => {}
                _ = kill.notified() => {}
                _ = stop.changed() => {}
            }
        });
    }
}

/// Writes what the request changed: the changes are taken under the world's lock, written
/// after it is released, under the store's lock so saves stay in order.
fn persist(shared: &Shared) {
    let mut guard = shared.store.lock().expect("store lock");
    let Some(store) = guard.as_mut() else {
        return;
    };
    let changes = store.changes(&mut shared.world.lock().expect("world lock"));
    if let Err(e) = changes.and_then(|c| store.write(c)) {
        tracing::error!("emulator state not saved: {e}");
    }
}

/// What a request asks for, decided before faults so they can be set per operation.
enum Call {
    Kms(String),
    CloudTrail(String),
    Sts(String),
    Iam(String),
    S3(&'static str, Vec<String>),
    Control(&'static str, control::Route),
    Recommendations(&'static str, Option<String>),
    Logs(String),
    /// InvokeAgentRuntime of the runtime ARN in the path.
    Invoke(String),
}

impl Call {
    fn operation(&self) -> &str {
        match self {
            Call::Kms(op)
            | Call::CloudTrail(op)
            | Call::Sts(op)
            | Call::Iam(op)
            | Call::Logs(op) => op,
            Call::Invoke(_) => "InvokeAgentRuntime",
            Call::S3(op, _) | Call::Control(op, _) | Call::Recommendations(op, _) => op,
        }
    }

    fn service(&self) -> aws_models::Service {
        use aws_models::Service;
        match self {
            Call::Kms(_) => Service::Kms,
            Call::CloudTrail(_) => Service::CloudTrail,
            Call::Sts(_) => Service::Sts,
            Call::Iam(_) => Service::Iam,
            Call::S3(..) => Service::S3,
            Call::Control(..) => Service::Control,
            Call::Recommendations(..) | Call::Invoke(_) => Service::Data,
            Call::Logs(_) => Service::Logs,
        }
    }

    fn protocol(&self) -> Protocol {
        match self {
            Call::Kms(_) | Call::CloudTrail(_) | Call::Logs(_) => Protocol::AwsJson,
            Call::Sts(_) | Call::Iam(_) => Protocol::AwsQuery,
            Call::S3(..) => Protocol::RestXml,
            _ => Protocol::RestJson,
        }
    }

    fn throttle_error(&self) -> ApiError {
        let op = self.operation();
        match self {
            Call::Control(..) if op.contains("Memor") => {
                ApiError::new(429, "ThrottledException", "Rate exceeded")
            }
            Call::Sts(_) | Call::Iam(_) => ApiError::new(400, "Throttling", "Rate exceeded"),
            Call::S3(..) => ApiError::new(503, "SlowDown", "Please reduce your request rate."),
            _ => ApiError::new(
                if matches!(self, Call::Kms(_) | Call::CloudTrail(_) | Call::Logs(_)) {
                    400
                } else {
                    429
                },
                "ThrottlingException",
                "Rate exceeded",
            ),
        }
    }

    fn server_error(&self) -> ApiError {
        let op = self.operation();
        match self {
            Call::Control(..) if op.contains("Memor") => ApiError::new(
                500,
                "ServiceException",
                "An internal error occurred (injected fault)",
            ),
            Call::Kms(_) => ApiError::new(
                500,
                "KMSInternalException",
                "An internal error occurred (injected fault)",
            ),
            Call::Iam(_) => ApiError::new(
                500,
                "ServiceFailure",
                "An internal error occurred (injected fault)",
            ),
            Call::Sts(_) => ApiError::new(
                500,
                "InternalFailure",
                "An internal error occurred (injected fault)",
            ),
            Call::S3(..) => ApiError::new(
                500,
                "InternalError",
                "We encountered an internal error. Please try again.",
            ),
            Call::Logs(_) => ApiError::new(
                500,
                "ServiceUnavailableException",
                "The service cannot complete the request (injected fault)",
            ),
            _ => ApiError::new(
                500,
                "InternalServerException",
                "An internal error occurred (injected fault)",
            ),
        }
    }

    /// What AWS answers when the caller's policies do not allow the operation.
    fn access_denied(&self, session_arn: &str) -> ApiError {
        let op = self.operation();
        let (status, code) = match self {
            Call::Sts(_) | Call::Iam(_) | Call::S3(..) => (403, "AccessDenied"),
            Call::Kms(_) | Call::CloudTrail(_) | Call::Logs(_) => (400, "AccessDeniedException"),
            _ => (403, "AccessDeniedException"),
        };
        let prefix = match self {
            Call::Kms(_) => "kms",
            Call::CloudTrail(_) => "cloudtrail",
            Call::Sts(_) => "sts",
            Call::Iam(_) => "iam",
            Call::S3(..) => "s3",
            Call::Logs(_) => "logs",
            Call::Control(..) | Call::Recommendations(..) | Call::Invoke(_) => "bedrock-agentcore",
        };
        let action = format!("{prefix}:{op}");
        ApiError::new(
            status,
            code,
            format!(
                "User: {session_arn} is not authorized to perform: {action} because no identity-based policy allows the {action} action"
            ),
        )
    }

    fn read_only(&self) -> bool {
        let op = self.operation();
        ["Get", "List", "Describe", "Head", "Lookup", "Filter"]
            .iter()
            .any(|p| op.starts_with(p))
    }
}

fn identify(method: &Method, uri: &Uri, headers: &HeaderMap, body: &[u8]) -> Option<Call> {
    if let Some(target) = headers.get("x-amz-target").and_then(|v| v.to_str().ok()) {
        let (prefix, op) = target.rsplit_once('.')?;
        return match prefix {
            "TrentService" => Some(Call::Kms(op.to_string())),
            p if p.ends_with("CloudTrail_20131101") => Some(Call::CloudTrail(op.to_string())),
            "Logs_20140328" => Some(Call::Logs(op.to_string())),
            _ => None,
        };
    }
    let segs = wire::path_segments(uri.path());
    let scope_service = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split([',', ' ']).next())
        .and_then(|scope| scope.split('/').nth(3))
        .map(str::to_string);
    let form = headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    // IAM and STS both speak awsQuery at `/`: only the signing scope tells them apart.
    if segs.is_empty() && scope_service.as_deref() == Some("iam") {
        return sts::action(body).map(Call::Iam);
    }
    if segs.is_empty() && (form || scope_service.as_deref() == Some("sts")) {
        return sts::action(body).map(Call::Sts);
    }
    // awsQuery also allows the action in the query string of a GET.
    if segs.is_empty()
        && let Some(action) = sts::action(uri.query().unwrap_or_default().as_bytes())
    {
        return Some(Call::Sts(action));
    }
    if scope_service.as_deref() == Some("s3") {
        return s3::operation(method, &segs).map(|op| Call::S3(op, segs));
    }
    if segs.first().map(String::as_str) == Some("recommendations") {
        let op = match (method.as_str(), segs.len()) {
            ("POST", 1) => "StartRecommendation",
            ("GET", 1) => "ListRecommendations",
            ("GET", 2) => "GetRecommendation",
            ("DELETE", 2) => "DeleteRecommendation",
            _ => return None,
        };
        return Some(Call::Recommendations(op, segs.get(1).cloned()));
    }
    if let ("POST", [first, arn, last]) = (method.as_str(), segs.as_slice())
        && first == "runtimes"
        && last == "invocations"
    {
        return Some(Call::Invoke(arn.clone()));
    }
    if let Some((op, route)) = control::route(method, &segs) {
        return Some(Call::Control(op, route));
    }
    // Unsigned path-style S3 requests (e.g. curl) still work.
    s3::operation(method, &segs)
        .filter(|op| !segs.is_empty() && *op != s3::UNSUPPORTED)
        .map(|op| Call::S3(op, segs))
}

async fn dispatch(
    State(shared): State<Arc<Shared>>,
    axum::Extension(kill): axum::Extension<ConnKill>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let request_id = wire::new_request_id();
    if uri.path() == VIOLATIONS_PATH {
        return json_response(
            200,
            serde_json::json!({"violations": shared.violations.all()}),
        );
    }
    let Some(call) = identify(&method, &uri, &headers, &body) else {
        let e = ApiError::new(
            404,
            "UnknownOperationException",
            format!("No operation matches {method} {}", uri.path()),
        );
        return e.render(Protocol::RestJson, &request_id);
    };
    let protocol = call.protocol();
    let operation = call.operation().to_string();
    let service = call.service();
    if let Err(e) = conformance::check_request(
        &shared.violations,
        shared.models,
        service,
        &operation,
        &method,
        &uri,
        &headers,
        &body,
    ) {
        return e.render(protocol, &request_id);
    }
    let (latency, outcome, fail) = shared
        .dice
        .lock()
        .expect("fault lock")
        .roll(call.operation());
    if let Some(d) = latency {
        tokio::time::sleep(d).await;
    }
    match outcome {
        Outcome::Proceed => {}
        Outcome::Drop => {
            kill.0.notify_one();
            std::future::pending::<()>().await;
        }
        Outcome::Throttle => return call.throttle_error().render(protocol, &request_id),
        Outcome::ServerError => return call.server_error().render(protocol, &request_id),
        Outcome::Denied => {
            let session = shared.world.lock().expect("world lock").session_arn();
            return call.access_denied(&session).render(protocol, &request_id);
        }
    }
    let ctx = Ctx {
        region: wire::region_from_auth(&headers).unwrap_or_else(|| "us-east-1".to_string()),
        now: chrono::Utc::now(),
        access_key: wire::access_key_from_auth(&headers)
            .map(|k| wire::mask_access_key(&k))
            .unwrap_or_else(|| "local".to_string()),
        request_id: request_id.clone(),
        user_agent: headers
            .get("user-agent")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("unknown")
            .chars()
            .take(256)
            .collect(),
        fail,
    };
    let read_only = call.read_only();
    // The agent's answer is a stream of its own bytes (a blob payload), not the output shape.
    let streamed = matches!(call, Call::Invoke(_));
    // Reads can still change the world (due transitions, CloudTrail events): those persist too.
    let (result, changed) = {
        let mut world = shared.world.lock().expect("world lock");
        let ticked = clock::tick(&mut world, ctx.now, &shared.timing);
        let counter = world.id_counter;
        let result = execute(
            &mut world,
            &ctx,
            &shared.timing,
            call,
            &uri,
            &headers,
            &body,
        );
        (result, ticked || !read_only || world.id_counter != counter)
    };
    if changed {
        persist(&shared);
    }
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => {
            tracing::debug!(
                operation,
                code = e.code.as_str(),
                status = e.status,
                "emulator request failed"
            );
            if matches!(protocol, Protocol::RestJson | Protocol::AwsJson) {
                conformance::check_error(&shared.violations, service, &operation, &e);
            }
            return e.render(protocol, &request_id);
        }
    };
    tracing::debug!(
        operation,
        status = resp.status().as_u16(),
        "emulator request"
    );
    if protocol != Protocol::RestXml {
        wire::set_request_id(resp.headers_mut(), &request_id);
    }
    if resp.status().is_success()
        && !streamed
        && matches!(protocol, Protocol::RestJson | Protocol::AwsJson)
    {
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        conformance::check_response(&shared.violations, service, &operation, &bytes);
        resp = Response::from_parts(parts, axum::body::Body::from(bytes));
    } else if resp.status().is_success() && !streamed {
        let (parts, body) = resp.into_parts();
        let bytes = axum::body::to_bytes(body, usize::MAX)
            .await
            .unwrap_or_default();
        conformance::check_xml_response(
            &shared.violations,
            service,
            &operation,
            &bytes,
            &parts.headers,
        );
        resp = Response::from_parts(parts, axum::body::Body::from(bytes));
    }
    resp
}

/// GET on loopback: every model violation seen so far, for a conformance run of the real
/// binary against a standalone emulator.
pub const VIOLATIONS_PATH: &str = "/_emulator/violations";

fn execute(
    world: &mut WorldState,
    ctx: &Ctx,
    timing: &Timing,
    call: Call,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, ApiError> {
    let query = wire::query_pairs(uri.query());
    match call {
        Call::Kms(op) => {
            let input = wire::parse_json_object(body)
                .map_err(|e| ApiError::kms("SerializationException", e.message))?;
            let out = kms::handle(world, ctx, &op, &input)?;
            Ok(amz_json_response(
                out.unwrap_or_else(|| Value::Object(Default::default())),
            ))
        }
        Call::CloudTrail(op) => {
            let input = wire::parse_json_object(body)
                .map_err(|e| ApiError::new(400, "SerializationException", e.message))?;
            match op.as_str() {
                "LookupEvents" => Ok(amz_json_response(cloudtrail::lookup_events(
                    world, ctx, &input,
                )?)),
                other => Err(ApiError::new(
                    400,
                    "UnsupportedOperationException",
                    format!("{other} is not supported by this emulator"),
                )),
            }
        }
        Call::Sts(action) => sts::handle(&action, world, &ctx.request_id),
        Call::Iam(action) => iam::handle(world, &action, body, &ctx.request_id),
        Call::Logs(op) => {
            let input = wire::parse_json_object(body)
                .map_err(|e| ApiError::new(400, "SerializationException", e.message))?;
            match op.as_str() {
                "FilterLogEvents" => Ok(amz_json_response(logs::filter_log_events(
                    world, ctx, &input,
                )?)),
                "GetLogEvents" => Ok(amz_json_response(logs::get_log_events(world, ctx, &input)?)),
                other => Err(ApiError::new(
                    400,
                    "UnsupportedOperationException",
                    format!("{other} is not supported by this emulator"),
                )),
            }
        }
        Call::Invoke(arn) => invoke::invoke(world, ctx, &arn, &query, headers, body),
        Call::S3(op, segs) => s3::handle(world, ctx, op, &segs, headers, body),
        Call::Control(_, route) => {
            let input = wire::parse_json_object(body)?;
            control::handle(world, ctx, timing, route, &query, input)
        }
        Call::Recommendations(op, id) => {
            let id = id.unwrap_or_default();
            match op {
                "StartRecommendation" => Ok(json_response(
                    202,
                    recommendations::start(world, ctx, timing, wire::parse_json_object(body)?)?,
                )),
                "GetRecommendation" => {
                    Ok(json_response(200, recommendations::get(world, ctx, &id)?))
                }
                "ListRecommendations" => Ok(json_response(
                    200,
                    recommendations::list(world, ctx, &query)?,
                )),
                _ => Ok(json_response(
                    202,
                    recommendations::delete(world, ctx, timing, &id)?,
                )),
            }
        }
    }
}

#[cfg(test)]
mod routing {
    use aws_models::{Service, model};
    use axum::http::{HeaderMap, HeaderValue, Method, Uri};

    use super::identify;

    fn signed_for(service: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        let auth = format!(
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"
        );
        h.insert("authorization", HeaderValue::from_str(&auth).unwrap());
        h
    }

    /// The model check runs only on operations the model has, so a route the data lacks, or a
    /// model operation routed to another handler, would be served unchecked.
    #[test]
    fn every_agentcore_model_operation_routes_to_itself() {
        for service in [Service::Control, Service::Data] {
            for (name, op) in &model(service).operations {
                let path: String = op
                    .http
                    .request_uri
                    .split('?')
                    .next()
                    .unwrap_or_default()
                    .split('/')
                    .map(|seg| if seg.starts_with('{') { "label_1" } else { seg })
                    .collect::<Vec<_>>()
                    .join("/");
                let method = Method::from_bytes(op.http.method.as_bytes()).unwrap();
                let uri: Uri = path.parse().unwrap();
                let call = identify(&method, &uri, &signed_for("bedrock-agentcore"), b"{}")
                    .unwrap_or_else(|| panic!("{name}: {method} {path} routes nowhere"));
                assert_eq!(call.operation(), name, "{method} {path}");
                assert_eq!(call.service(), service, "{name}");
            }
        }
    }

    #[test]
    fn every_operation_the_emulator_serves_is_in_its_model() {
        let has = |service: Service, op: &str| model(service).operation(op).is_some();
        for (op, _) in crate::kms::OPERATIONS {
            assert!(has(Service::Kms, op), "KMS {op}");
        }
        for (op, _) in crate::s3::OPERATIONS {
            assert!(has(Service::S3, op), "S3 {op}");
        }
        assert!(has(Service::Sts, "GetCallerIdentity"));
        assert!(has(Service::CloudTrail, "LookupEvents"));
        for op in ["FilterLogEvents", "GetLogEvents"] {
            assert!(has(Service::Logs, op), "Logs {op}");
        }
    }
}
