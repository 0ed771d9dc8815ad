/** Delivery through Git and pull requests: the API the CLI (`tars propose`, `tars run`) calls. */
export { propose, type ProposeOptions, type ProposeResult, type RenderedTree } from './propose.js';
export {
  assertPushTarget,
  branchName,
  DEFAULT_AUTHOR,
  proposeTree,
  tokenFromEnv,
  type DeliveryOutcome,
  type DeliveryStatus,
  type ForeignCommit,
  type GitAuthor,
  type ProposeTreeOptions,
} from './delivery.js';
export {
  buildPullRequestText,
  escapeMarkdown,
  planHash,
  readPlanHash,
  type PullRequestText,
  type PullRequestTextInput,
} from './pr-body.js';
export { createPlatform, isPlatformName, PLATFORMS } from './platforms/registry.js';
export type {
  PlatformAdapter,
  PlatformName,
  PullRequestRef,
  PullRequestSpec,
} from './platforms/types.js';
export { Redactor, redactorFromEnv, TOKEN_ENV_VARS } from './redact.js';
