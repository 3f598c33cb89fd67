//! IAM over awsQuery (global, signed for us-east-1): GetRole, so a client can learn a role's
//! path, which STS session ARNs leave out.

use axum::http::StatusCode;
use axum::response::Response;
use chrono::SecondsFormat;

use crate::wire::{ApiError, xml_escape, xml_response};
use crate::world::WorldState;

pub fn handle(
    world: &WorldState,
    action: &str,
    body: &[u8],
    request_id: &str,
) -> Result<Response, ApiError> {
    match action {
        "GetRole" => get_role(world, &param(body, "RoleName"), request_id),
        other => Err(ApiError::new(
            400,
            "InvalidAction",
            format!("Could not find operation {other} for version 2010-05-08"),
        )),
    }
}

fn param(body: &[u8], name: &str) -> String {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

fn get_role(world: &WorldState, name: &str, request_id: &str) -> Result<Response, ApiError> {
    let role = world.roles.get(name).ok_or_else(|| {
        ApiError::new(
            404,
            "NoSuchEntity",
            format!("The role with name {name} cannot be found."),
        )
    })?;
    let body = format!(
        "<GetRoleResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\">\n  <GetRoleResult>\n    <Role>\n      <Path>{}</Path>\n      <Arn>{}</Arn>\n      <RoleName>{}</RoleName>\n      <CreateDate>{}</CreateDate>\n      <RoleId>{}</RoleId>\n      <MaxSessionDuration>3600</MaxSessionDuration>\n    </Role>\n  </GetRoleResult>\n  <ResponseMetadata>\n    <RequestId>{request_id}</RequestId>\n  </ResponseMetadata>\n</GetRoleResponse>\n",
        xml_escape(&role.path),
        xml_escape(&role.arn(&world.account)),
        xml_escape(&role.name),
        role.created.to_rfc3339_opts(SecondsFormat::Secs, true),
        xml_escape(&role.id),
    );
    Ok(xml_response(StatusCode::OK, body, request_id))
}
