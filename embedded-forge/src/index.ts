// @agentloop/embedded-forge (DESIGN §10): a local GitHub for tests and the demo — the REST subset
// agentloop uses (validated against GitHub's OpenAPI description), real git over smart HTTP, a workflow
// runner with the forge's own semantics, and seeded fault injection. The scripted agent is a separate
// entry point (`@agentloop/embedded-forge/scripted-agent`): it runs as a program when bundled.

export { NOT_ACCESSIBLE_BY_INTEGRATION, NOT_ACCESSIBLE_BY_PAT, permissionOf } from './access.js';
export type { EventListener, ForgeEvent } from './events.js';
export {
  convertToDraftAsHuman,
  deleteLabelAsHuman,
  type EventDecision,
  type EventFaultsOptions,
  eventFaults,
  type FailOnOptions,
  type FaultAnswer,
  type FaultRequest,
  failOn,
  type HttpErrorsOptions,
  type HumanEditsHook,
  type HumanEditsOptions,
  httpErrors,
  humanEdits,
  labelAsHuman,
  primaryRateLimitAnswer,
  type RateLimitedOptions,
  type RequestMatcher,
  rateLimited,
  renameLabelAsHuman,
  SECONDARY_RATE_LIMIT_MESSAGE,
  secondaryRateLimitAnswer,
  seededRandom,
  unlabelAsHuman,
} from './faults.js';
export { FORGEJO_VERSION } from './forgejo-json.js';
export { DEFAULT_PAGING_NUM, FORGEJO_BASE, MAX_RESPONSE_ITEMS } from './forgejo-router.js';
export type { ForkPullOptions } from './forks.js';
/** Server-side git on the forge's bare repositories (commits, refs, merges), for seeding and checking. */
export * as git from './git-ops.js';
export * from './model/index.js';
export { specFile, validateRequest, validateResponse } from './openapi.js';
export { type WorkflowRule, workflowRefusal, workflowRuleFor } from './push-rules.js';
export {
  type Access,
  acceptedHeader,
  type DefaultWorkflowPermissions,
  GIT_FETCH,
  GIT_PUSH,
  type PermissionSet,
  ROUTE_PERMISSIONS,
  type RouteRule,
  ruleFor,
  type Scope,
  satisfies,
  scopesFor,
  type WorkflowPermissions,
  workflowTokenPermissions,
} from './route-permissions.js';
export {
  type Delivery,
  describeRun,
  groupAlive,
  type JobRecord,
  processAlive,
  type RunConclusion,
  type RunEvent,
  type RunnerOptions,
  type RunRecord,
  type StepConclusion,
  type StepRecord,
  WorkflowRunner,
} from './runner.js';
export type { AgentScript } from './scripted-agent.js';
export {
  type CreateRepoOptions,
  EmbeddedForge,
  type EmbeddedForgeOptions,
  type FaultHook,
  type RecordedRequest,
  type RequestValidator,
} from './server.js';
export {
  type CheckRunRec,
  type CommentRec,
  ForgeState,
  type IssueEventRec,
  type IssueRec,
  type JobRec,
  type LabelRec,
  type Permission,
  type PullRec,
  type RepoState,
  type ReviewCommentRec,
  type ReviewRec,
  type StatusRec,
  type TokenKind,
  type TokenRec,
  type User,
  type WorkflowRunRec,
} from './state.js';
export {
  FORGEJO_SWAGGER_NAME,
  type ForgejoOperation,
  findForgejoOperation,
  swaggerFile,
  validateForgejoRequest,
  validateForgejoResponse,
} from './swagger.js';
export { APP_TOKEN_LIFETIME_MS, type AppTokenOptions, type RepoLimit } from './tokens.js';
export {
  ConcurrencyScheduler,
  type ForgeFlavor,
  type ParsedWorkflow,
  type PlannedRun,
  parseWorkflowFile,
  planEvent,
  selectWorkflowPaths,
  type TriggerEvent,
  type WorkflowFile,
} from './workflow-engine.js';
