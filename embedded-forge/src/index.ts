// @agentloop/embedded-forge (DESIGN §10): a local GitHub for tests and the demo — the REST subset
// agentloop uses (validated against GitHub's OpenAPI description), real git over smart HTTP, a workflow
// runner with the forge's own semantics, and seeded fault injection. The scripted agent is a separate
// entry point (`@agentloop/embedded-forge/scripted-agent`): it runs as a program when bundled.
export { EmbeddedForge, type EmbeddedForgeOptions, type FaultHook, type RecordedRequest, type RequestValidator } from './server.js';
export type { EventListener, ForgeEvent } from './events.js';
export {
  ForgeState,
  type CheckRunRec,
  type CommentRec,
  type IssueEventRec,
  type IssueRec,
  type JobRec,
  type LabelRec,
  type Permission,
  type PullRec,
  type RepoState,
  type StatusRec,
  type TokenRec,
  type User,
  type WorkflowRunRec,
} from './state.js';
/** Server-side git on the forge's bare repositories (commits, refs, merges), for seeding and checking. */
export * as git from './git-ops.js';
export {
  describeRun,
  groupAlive,
  processAlive,
  WorkflowRunner,
  type Delivery,
  type JobRecord,
  type RunConclusion,
  type RunEvent,
  type RunnerOptions,
  type RunRecord,
  type StepConclusion,
  type StepRecord,
} from './runner.js';
export {
  eventFaults,
  failOn,
  httpErrors,
  humanEdits,
  labelAsHuman,
  primaryRateLimitAnswer,
  rateLimited,
  secondaryRateLimitAnswer,
  SECONDARY_RATE_LIMIT_MESSAGE,
  seededRandom,
  unlabelAsHuman,
  type EventDecision,
  type EventFaultsOptions,
  type FailOnOptions,
  type FaultAnswer,
  type FaultRequest,
  type HttpErrorsOptions,
  type HumanEditsHook,
  type HumanEditsOptions,
  type RateLimitedOptions,
  type RequestMatcher,
} from './faults.js';
export {
  ConcurrencyScheduler,
  parseWorkflowFile,
  planEvent,
  selectWorkflowPaths,
  type ForgeFlavor,
  type ParsedWorkflow,
  type PlannedRun,
  type TriggerEvent,
  type WorkflowFile,
} from './workflow-engine.js';
export { specFile, validateRequest } from './openapi.js';
export type { AgentScript } from './scripted-agent.js';
