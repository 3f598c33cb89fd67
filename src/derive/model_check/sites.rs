//! The table: every member a pack or config value becomes, by operation.

use aws_models::Service;

/// One member of one operation's input: where a value ends up on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Site {
    pub service: Service,
    pub operation: &'static str,
    /// Dotted member path as `aws_models::Model::member_shape` reads it.
    pub member: &'static str,
}

pub(crate) const fn control(operation: &'static str, member: &'static str) -> Site {
    Site {
        service: Service::Control,
        operation,
        member,
    }
}

pub(crate) const fn data(operation: &'static str, member: &'static str) -> Site {
    Site {
        service: Service::Data,
        operation,
        member,
    }
}

pub(crate) const RT: &str = "CreateAgentRuntime";
pub const RT_NAME: Site = control(RT, "agentRuntimeName");
pub const RT_ROLE: Site = control(RT, "roleArn");
pub const RT_CONTAINER: Site = control(
    RT,
    "agentRuntimeArtifact.containerConfiguration.containerUri",
);
pub const RT_CODE_PREFIX: Site =
    control(RT, "agentRuntimeArtifact.codeConfiguration.code.s3.prefix");
pub const RT_PROTOCOL: Site = control(RT, "protocolConfiguration.serverProtocol");
pub const RT_DISCOVERY_URL: Site = control(
    RT,
    "authorizerConfiguration.customJWTAuthorizer.discoveryUrl",
);
pub const RT_AUDIENCE: Site = control(
    RT,
    "authorizerConfiguration.customJWTAuthorizer.allowedAudience",
);
pub const RT_CLIENTS: Site = control(
    RT,
    "authorizerConfiguration.customJWTAuthorizer.allowedClients",
);
pub const RT_ENV: Site = control(RT, "environmentVariables");
pub const RT_TAGS: Site = control(RT, "tags");

pub(crate) const MEM: &str = "CreateMemory";
pub const MEM_NAME: Site = control(MEM, "name");
pub const MEM_ROLE: Site = control(MEM, "memoryExecutionRoleArn");
pub const MEM_KEY: Site = control(MEM, "encryptionKeyArn");
pub const MEM_EXPIRY: Site = control(MEM, "eventExpiryDuration");
pub const MEM_EPISODIC: Site = control(MEM, "memoryStrategies.member.episodicMemoryStrategy.name");
pub const MEM_SEMANTIC: Site = control(MEM, "memoryStrategies.member.semanticMemoryStrategy.name");
pub const MEM_SUMMARY: Site = control(MEM, "memoryStrategies.member.summaryMemoryStrategy.name");
pub const MEM_USER_PREFERENCE: Site = control(
    MEM,
    "memoryStrategies.member.userPreferenceMemoryStrategy.name",
);
pub const MEM_TAGS: Site = control(MEM, "tags");

pub(crate) const GW: &str = "CreateGateway";
pub const GW_NAME: Site = control(GW, "name");
pub const GW_ROLE: Site = control(GW, "roleArn");
pub const GW_TAGS: Site = control(GW, "tags");

pub(crate) const TG: &str = "CreateGatewayTarget";
pub const TG_NAME: Site = control(TG, "name");
pub const TG_LAMBDA: Site = control(TG, "targetConfiguration.mcp.lambda.lambdaArn");
pub const TG_TOOL_NAME: Site = control(
    TG,
    "targetConfiguration.mcp.lambda.toolSchema.inlinePayload.member.name",
);
pub const TG_TOOL_DESCRIPTION: Site = control(
    TG,
    "targetConfiguration.mcp.lambda.toolSchema.inlinePayload.member.description",
);
pub const TG_TOOL_SCHEMA: Site = control(
    TG,
    "targetConfiguration.mcp.lambda.toolSchema.inlinePayload.member.inputSchema",
);
pub const TG_ENDPOINT: Site = control(TG, "targetConfiguration.mcp.mcpServer.endpoint");
pub const TG_CREDENTIAL: Site = control(
    TG,
    "credentialProviderConfigurations.member.credentialProviderType",
);

pub(crate) const PE: &str = "CreatePolicyEngine";
pub const PE_NAME: Site = control(PE, "name");
pub const PE_DESCRIPTION: Site = control(PE, "description");
pub const PE_TAGS: Site = control(PE, "tags");

pub(crate) const POL: &str = "CreatePolicy";
pub const POL_NAME: Site = control(POL, "name");
pub const POL_DESCRIPTION: Site = control(POL, "description");
pub const POL_STATEMENT: Site = control(POL, "definition.cedar.statement");

pub(crate) const EV: &str = "CreateEvaluator";
pub const EV_NAME: Site = control(EV, "evaluatorName");
pub const EV_DESCRIPTION: Site = control(EV, "description");
pub const EV_INSTRUCTIONS: Site = control(EV, "evaluatorConfig.llmAsAJudge.instructions");
pub const EV_RATING: Site = control(EV, "evaluatorConfig.llmAsAJudge.ratingScale.numerical");
pub const EV_MODEL: Site = control(
    EV,
    "evaluatorConfig.llmAsAJudge.modelConfig.bedrockEvaluatorModelConfig.modelId",
);
pub const EV_LEVEL: Site = control(EV, "level");
pub const EV_TAGS: Site = control(EV, "tags");

pub(crate) const OE: &str = "CreateOnlineEvaluationConfig";
pub const OE_NAME: Site = control(OE, "onlineEvaluationConfigName");
pub const OE_SAMPLING: Site = control(OE, "rule.samplingConfig.samplingPercentage");
pub const OE_EVALUATORS: Site = control(OE, "evaluators");
pub const OE_EVALUATOR_ID: Site = control(OE, "evaluators.member.evaluatorId");
pub const OE_LOG_GROUPS: Site = control(OE, "dataSourceConfig.cloudWatchLogs.logGroupNames");
pub const OE_SERVICES: Site = control(OE, "dataSourceConfig.cloudWatchLogs.serviceNames");
pub const OE_ROLE: Site = control(OE, "evaluationExecutionRoleArn");
pub const OE_TAGS: Site = control(OE, "tags");

pub(crate) const REC: &str = "StartRecommendation";
pub const REC_NAME: Site = data(REC, "name");
pub const REC_DESCRIPTION: Site = data(REC, "description");
pub const REC_PROMPT: Site = data(
    REC,
    "recommendationConfig.systemPromptRecommendationConfig.systemPrompt.text",
);
pub const REC_SP_LOG_GROUPS: Site = data(
    REC,
    "recommendationConfig.systemPromptRecommendationConfig.agentTraces.cloudwatchLogs.logGroupArns",
);
pub const REC_SP_SERVICES: Site = data(
    REC,
    "recommendationConfig.systemPromptRecommendationConfig.agentTraces.cloudwatchLogs.serviceNames",
);
pub const REC_EVALUATORS: Site = data(
    REC,
    "recommendationConfig.systemPromptRecommendationConfig.evaluationConfig.evaluators",
);
pub const REC_TOOL_NAME: Site = data(
    REC,
    "recommendationConfig.toolDescriptionRecommendationConfig.toolDescription.toolDescriptionText.tools.member.toolName",
);
pub const REC_TOOL_TEXT: Site = data(
    REC,
    "recommendationConfig.toolDescriptionRecommendationConfig.toolDescription.toolDescriptionText.tools.member.toolDescription.text",
);
pub const REC_TD_LOG_GROUPS: Site = data(
    REC,
    "recommendationConfig.toolDescriptionRecommendationConfig.agentTraces.cloudwatchLogs.logGroupArns",
);
pub const REC_TD_SERVICES: Site = data(
    REC,
    "recommendationConfig.toolDescriptionRecommendationConfig.agentTraces.cloudwatchLogs.serviceNames",
);
pub const REC_KMS_KEY: Site = data(REC, "kmsKeyArn");
pub const REC_TAGS: Site = data(REC, "tags");

/// Every row, so a test can hold each against the model data: a member renamed or dropped by
/// a model update fails there, not silently here.
pub const SITES: &[Site] = &[
    RT_NAME,
    RT_ROLE,
    RT_CONTAINER,
    RT_CODE_PREFIX,
    RT_PROTOCOL,
    RT_DISCOVERY_URL,
    RT_AUDIENCE,
    RT_CLIENTS,
    RT_ENV,
    RT_TAGS,
    MEM_NAME,
    MEM_ROLE,
    MEM_KEY,
    MEM_EXPIRY,
    MEM_EPISODIC,
    MEM_SEMANTIC,
    MEM_SUMMARY,
    MEM_USER_PREFERENCE,
    MEM_TAGS,
    GW_NAME,
    GW_ROLE,
    GW_TAGS,
    TG_NAME,
    TG_LAMBDA,
    TG_TOOL_NAME,
    TG_TOOL_DESCRIPTION,
    TG_TOOL_SCHEMA,
    TG_ENDPOINT,
    TG_CREDENTIAL,
    PE_NAME,
    PE_DESCRIPTION,
    PE_TAGS,
    POL_NAME,
    POL_DESCRIPTION,
    POL_STATEMENT,
    EV_NAME,
    EV_DESCRIPTION,
    EV_INSTRUCTIONS,
    EV_RATING,
    EV_MODEL,
    EV_LEVEL,
    EV_TAGS,
    OE_NAME,
    OE_SAMPLING,
    OE_EVALUATORS,
    OE_EVALUATOR_ID,
    OE_LOG_GROUPS,
    OE_SERVICES,
    OE_ROLE,
    OE_TAGS,
    REC_NAME,
    REC_DESCRIPTION,
    REC_PROMPT,
    REC_SP_LOG_GROUPS,
    REC_SP_SERVICES,
    REC_EVALUATORS,
    REC_TOOL_NAME,
    REC_TOOL_TEXT,
    REC_TD_LOG_GROUPS,
    REC_TD_SERVICES,
    REC_KMS_KEY,
    REC_TAGS,
];
