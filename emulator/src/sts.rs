//! STS over awsQuery: GetCallerIdentity answers with the session of the world's caller.

use axum::http::StatusCode;
use axum::response::Response;

use crate::wire::{ApiError, xml_escape, xml_response};
use crate::world::WorldState;

pub fn action(body: &[u8]) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v.into_owned())
}

pub fn handle(action: &str, world: &WorldState, request_id: &str) -> Result<Response, ApiError> {
    match action {
        "GetCallerIdentity" => {
            let arn = world.session_arn();
            let user_id = format!("{}:{}", world.caller.role_id(), world.caller.session());
            let body = format!(
                "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <GetCallerIdentityResult>\n    <Arn>{}</Arn>\n    <UserId>{}</UserId>\n    <Account>{}</Account>\n  </GetCallerIdentityResult>\n  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n</GetCallerIdentityResponse>\n",
                xml_escape(&arn),
                xml_escape(&user_id),
                xml_escape(&world.account)
            );
            Ok(xml_response(StatusCode::OK, body, request_id))
        }
        other => Err(ApiError::new(
            400,
            "InvalidAction",
            format!("Could not find operation {other} for version 2011-06-15"),
        )),
    }
}
