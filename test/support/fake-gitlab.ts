/**
 * A local stand-in for the GitLab REST API v4: project merge requests (list, get, create,
 * update, labels through update) and merge-request notes (list, create, update). Every request
 * and every response it sends is validated with ajv; tests assert `violations` is empty.
 *
 * Checked against GitLab's published API description, `doc/api/openapi/openapi_v2.yaml` in
 * gitlabhq/gitlabhq at commit 0338625c4996c8b4dde44bd86d1767b654121ee7 (read on 2026-11-30, not
 * copied into this repository; the schemas below are transcribed by hand):
 *   - paths and methods: `/api/v4/projects/{id}/merge_requests` (get, post) and
 *     `/api/v4/projects/{id}/merge_requests/{merge_request_iid}` (get, put); `{id}` is "the ID or
 *     URL-encoded path of the project", `merge_request_iid` an integer; success statuses 200 and
 *     201 (create); bodies `consumes: application/json`; the token in the `PRIVATE-TOKEN`
 *     header or the `private_token` query parameter (securityDefinitions).
 *   - query parameters (names, types, enums) of operations `getApiV4ProjectsIdMergeRequests`
 *     (all of them) and `getApiV4ProjectsIdMergeRequestsMergeRequestIid`.
 *   - body attributes (names, types, enums, required) of definitions
 *     `postApiV4ProjectsIdMergeRequests` and `putApiV4ProjectsIdMergeRequestsMergeRequestIid`.
 *   - response property names of `API_Entities_MergeRequestBasic` (list),
 *     `API_Entities_MergeRequest` (get, create, update), `API_Entities_UserBasic`,
 *     `API_Entities_IssuableReferences`, `API_Entities_IssuableTimeStats`, `API_Entities_Milestone`:
 *     the fake may send no property the spec does not name.
 *
 * Written by hand where that spec is silent or too loose to validate against:
 *   - notes: GitLab mounts `API::Notes` after `add_open_api_documentation!` (lib/api/api.rb at
 *     0045970352e8729b2797591beb88a7df884d84f4), so the v2 spec has no notes operation and no
 *     `API_Entities_Note`. Parameters follow lib/api/notes.rb (at
 *     017a6c129d6a9e4ad9fec792cd84f88641d7dbfe) and https://docs.gitlab.com/api/notes/; the
 *     response follows lib/api/entities/note.rb (at 152f35d6bfa9178587da609d80944d4ec765219b;
 *     `internal`, `imported`, `project_id` from the docs page, which is newer).
 *   - response value types, nullability and which properties are always present: the spec's
 *     entities type most values as `string` (counts, booleans, label lists), give arrays
 *     (`assignees`, `reviewers`) as a single `$ref` and mark nothing required; those come from
 *     https://docs.gitlab.com/api/merge_requests/ and `@gitbeaker/core`'s `MergeRequestSchema`.
 *     Enums the spec leaves free (`state`, `merge_status`) come from the same page.
 *   - `view=simple` and `with_labels_details=true` change the list entity
 *     (`MergeRequestSimple`, label objects); the spec only names `API_Entities_MergeRequestBasic`.
 *   - pagination headers (`x-page`, `x-per-page`, `x-total`, `x-total-pages`, `x-next-page`,
 *     `x-prev-page`, `link`), which the spec does not declare, and `per_page` capped at 100:
 *     https://docs.gitlab.com/api/rest/#pagination
 *   - rules that are model validations rather than API parameters: a non-empty title of at most
 *     255 characters, non-empty branches and note bodies; update needs at least one attribute
 *     (docs, "Update MR"); the spec's 1,048,576-character description limit is in its prose only.
 *   - comma-separated label lists: the spec types `labels`, `add_labels`, `remove_labels` as
 *     string arrays described as "comma-separated"; GitLab accepts either, and so does this fake.
 *
 * An unknown path or method, an unknown query parameter or body attribute, a wrong type or a
 * missing required attribute is a violation, answered 404, 405 or 400 so the client fails fast
 * (GitLab itself would ignore an unknown parameter; this fake is stricter on purpose). A
 * parameter the spec allows but this fake does not act on is a violation too, though answered:
 * a test must not pass on a filter the fake ignored.
 */
import type { IncomingMessage } from 'node:http';
import { listenLocal } from './local-server.js';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type JsonObject = Record<string, unknown>;

const INT = { type: 'integer' };
const STR = { type: 'string' };
const BOOL = { type: 'boolean' };
const DATE_TIME = { type: 'string', format: 'date-time' };
const URI = { type: 'string', format: 'uri' };
const STRINGS = { type: 'array', items: STR };
const INTS = { type: 'array', items: INT };
const nullable = (schema: JsonObject): JsonObject => ({ anyOf: [schema, { type: 'null' }] });
const pick = <T extends JsonObject>(
  properties: T,
  names: readonly (keyof T & string)[],
): JsonObject => Object.fromEntries(names.map((name) => [name, properties[name]]));
const object = (properties: JsonObject, required: string[] = Object.keys(properties)) => ({
  type: 'object',
  additionalProperties: false,
  required,
  properties,
});

// ---------------------------------------------------------------------------------------------
// Response entities: property names from the spec, types from the docs (see header).

/** `API_Entities_UserBasic`; `public_email`, `avatar_path`, `custom_attributes` are conditional. */
const USER = object(
  {
    id: INT,
    username: STR,
    public_email: nullable(STR),
    name: STR,
    state: STR,
    locked: BOOL,
    avatar_url: nullable(STR),
    avatar_path: STR,
    custom_attributes: { type: 'array', items: object({ key: STR, value: STR }) },
    web_url: URI,
  },
  ['id', 'username', 'name', 'state', 'locked', 'avatar_url', 'web_url'],
);

/** `API_Entities_Milestone` (the fake never assigns one; the names bound what may appear). */
const MILESTONE = object(
  Object.fromEntries(
    [
      'id',
      'iid',
      'project_id',
      'group_id',
      'title',
      'description',
      'state',
      'created_at',
      'updated_at',
      'due_date',
      'start_date',
      'expired',
      'web_url',
    ].map((name) => [name, {}]),
  ),
  ['id', 'iid', 'title', 'state', 'web_url'],
);

/** Label objects of `with_labels_details=true` (docs: name, color, description, …). */
const LABEL_DETAILS = object(
  {
    id: INT,
    name: STR,
    color: STR,
    description: nullable(STR),
    description_html: STR,
    text_color: STR,
  },
  ['name', 'color', 'description', 'description_html', 'text_color'],
);

const MR_STATE = { enum: ['opened', 'closed', 'locked', 'merged'] };
const MERGE_STATUS = {
  enum: ['unchecked', 'checking', 'can_be_merged', 'cannot_be_merged', 'cannot_be_merged_recheck'],
};

/** `API_Entities_MergeRequestBasic` properties. */
const MR_BASIC_PROPERTIES = {
  id: INT,
  iid: INT,
  project_id: INT,
  title: STR,
  description: nullable(STR),
  state: MR_STATE,
  created_at: DATE_TIME,
  updated_at: DATE_TIME,
  merged_by: nullable(USER),
  merge_user: nullable(USER),
  merged_at: nullable(DATE_TIME),
  closed_by: nullable(USER),
  closed_at: nullable(DATE_TIME),
  title_html: STR,
  description_html: STR,
  target_branch: STR,
  source_branch: STR,
  user_notes_count: INT,
  upvotes: INT,
  downvotes: INT,
  author: USER,
  assignees: { type: 'array', items: USER },
  assignee: nullable(USER),
  reviewers: { type: 'array', items: USER },
  source_project_id: INT,
  target_project_id: INT,
  labels: { anyOf: [STRINGS, { type: 'array', items: LABEL_DETAILS }] },
  draft: BOOL,
  imported: BOOL,
  imported_from: STR,
  work_in_progress: BOOL,
  milestone: nullable(MILESTONE),
  merge_when_pipeline_succeeds: BOOL,
  merge_status: MERGE_STATUS,
  detailed_merge_status: STR,
  merge_after: nullable(DATE_TIME),
  sha: STR,
  merge_commit_sha: nullable(STR),
  squash_commit_sha: nullable(STR),
  discussion_locked: nullable(BOOL),
  should_remove_source_branch: nullable(BOOL),
  force_remove_source_branch: nullable(BOOL),
  prepared_at: nullable(DATE_TIME),
  allow_collaboration: BOOL,
  allow_maintainer_to_push: BOOL,
  reference: STR,
  references: object({ short: STR, relative: STR, full: STR }),
  web_url: URI,
  time_stats: object({
    time_estimate: INT,
    total_time_spent: INT,
    human_time_estimate: nullable(STR),
    human_total_time_spent: nullable(STR),
  }),
  squash: BOOL,
  squash_on_merge: BOOL,
  task_completion_status: object({ count: INT, completed_count: INT }),
  has_conflicts: BOOL,
  blocking_discussions_resolved: BOOL,
  approvals_before_merge: nullable(INT),
};

/** Exposed only on request (`render_html`) or only by GitLab EE / recent versions. */
const MR_BASIC_OPTIONAL = [
  'title_html',
  'description_html',
  'approvals_before_merge',
  'imported',
  'imported_from',
  'merge_after',
];

const required = (properties: JsonObject, optional: string[]): string[] =>
  Object.keys(properties).filter((name) => !optional.includes(name));

export const MERGE_REQUEST_BASIC_SCHEMA = object(
  MR_BASIC_PROPERTIES,
  required(MR_BASIC_PROPERTIES, MR_BASIC_OPTIONAL),
);

/** `API_Entities_MergeRequest`: the basic entity and the single-MR extras. */
const MR_PROPERTIES = {
  ...MR_BASIC_PROPERTIES,
  subscribed: BOOL,
  changes_count: nullable(STR),
  latest_build_started_at: nullable(DATE_TIME),
  latest_build_finished_at: nullable(DATE_TIME),
  first_deployed_to_production_at: nullable(DATE_TIME),
  pipeline: nullable({ type: 'object' }),
  head_pipeline: nullable({ type: 'object' }),
  diff_refs: object({ base_sha: nullable(STR), head_sha: nullable(STR), start_sha: nullable(STR) }),
  merge_error: nullable(STR),
  rebase_in_progress: BOOL,
  diverged_commits_count: INT,
  first_contribution: BOOL,
  user: object({ can_merge: BOOL }),
};

export const MERGE_REQUEST_SCHEMA = object(
  MR_PROPERTIES,
  required(MR_PROPERTIES, [...MR_BASIC_OPTIONAL, 'rebase_in_progress', 'diverged_commits_count']),
);

/** `MergeRequestSimple` (docs: `view=simple`); not in the spec. */
const MERGE_REQUEST_SIMPLE_SCHEMA = object(
  pick(MR_BASIC_PROPERTIES, [
    'id',
    'iid',
    'project_id',
    'title',
    'description',
    'state',
    'created_at',
    'updated_at',
    'web_url',
  ]),
);

/** Note response (hand-written: lib/api/entities/note.rb and the notes docs). */
export const NOTE_SCHEMA = object(
  {
    id: INT,
    type: nullable(STR),
    body: STR,
    attachment: nullable(STR),
    author: USER,
    created_at: DATE_TIME,
    updated_at: DATE_TIME,
    system: BOOL,
    noteable_id: INT,
    noteable_type: { const: 'MergeRequest' },
    commit_id: nullable(STR),
    position: { type: 'object' },
    resolvable: BOOL,
    resolved: BOOL,
    resolved_by: nullable(USER),
    resolved_at: nullable(DATE_TIME),
    confidential: BOOL,
    internal: BOOL,
    imported: BOOL,
    imported_from: STR,
    noteable_iid: INT,
    project_id: INT,
    commands_changes: { type: 'object' },
  },
  [
    'id',
    'type',
    'body',
    'attachment',
    'author',
    'created_at',
    'updated_at',
    'system',
    'noteable_id',
    'noteable_type',
    'resolvable',
    'confidential',
    'internal',
    'noteable_iid',
    'project_id',
    'commands_changes',
  ],
);

// ---------------------------------------------------------------------------------------------
// Requests.

/** The spec's `page`/`per_page` (no bounds there; GitLab caps `per_page` at 100, see paginate). */
const PAGINATION = { page: INT, per_page: INT };

/** Every query parameter of `getApiV4ProjectsIdMergeRequests`, with the spec's types. */
const LIST_MR_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    author_id: INT,
    author_username: STR,
    assignee_id: INT,
    assignee_username: STRINGS,
    reviewer_username: STR,
    labels: STRINGS,
    milestone: STR,
    my_reaction_emoji: STR,
    reviewer_id: INT,
    state: { type: 'string', enum: ['opened', 'closed', 'locked', 'merged', 'all'] },
    order_by: {
      type: 'string',
      enum: [
        'created_at',
        'label_priority',
        'milestone_due',
        'popularity',
        'priority',
        'title',
        'updated_at',
        'merged_at',
      ],
    },
    sort: { type: 'string', enum: ['asc', 'desc'] },
    with_labels_details: BOOL,
    with_merge_status_recheck: BOOL,
    created_after: DATE_TIME,
    created_before: DATE_TIME,
    updated_after: DATE_TIME,
    updated_before: DATE_TIME,
    view: { type: 'string', enum: ['simple'] },
    scope: {
      type: 'string',
      enum: [
        'created-by-me',
        'assigned-to-me',
        'created_by_me',
        'assigned_to_me',
        'reviews_for_me',
        'all',
      ],
    },
    source_branch: STR,
    source_project_id: INT,
    target_branch: STR,
    search: STR,
    in: STR,
    wip: { type: 'string', enum: ['yes', 'no'] },
    'not[author_id]': INT,
    'not[author_username]': STR,
    'not[assignee_id]': INT,
    'not[assignee_username]': STRINGS,
    'not[reviewer_username]': STR,
    'not[labels]': STRINGS,
    'not[milestone]': STR,
    'not[my_reaction_emoji]': STR,
    'not[reviewer_id]': INT,
    deployed_before: STR,
    deployed_after: STR,
    environment: STR,
    approved: { type: 'string', enum: ['yes', 'no'] },
    merge_user_id: INT,
    merge_user_username: STR,
    approver_ids: STR,
    approved_by_ids: STR,
    approved_by_usernames: STR,
    ...PAGINATION,
    iids: INTS,
  },
};

/** Query parameters of `getApiV4ProjectsIdMergeRequestsMergeRequestIid`. */
const SHOW_MR_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    render_html: BOOL,
    include_diverged_commits_count: BOOL,
    include_rebase_in_progress: BOOL,
  },
};

/** Comma-separated string or string array (see header). */
const LABEL_LIST = { anyOf: [STR, STRINGS] };
const MR_TITLE = { type: 'string', minLength: 1, maxLength: 255 };
const BRANCH = { type: 'string', minLength: 1 };
const MR_DESCRIPTION = { type: 'string', maxLength: 1_048_576 };

/** Attributes shared by `postApiV4ProjectsIdMergeRequests` and the update definition. */
const MR_COMMON_ATTRIBUTES = {
  title: MR_TITLE,
  target_branch: BRANCH,
  assignee_id: INT,
  assignee_ids: INTS,
  reviewer_ids: INTS,
  description: MR_DESCRIPTION,
  labels: LABEL_LIST,
  add_labels: LABEL_LIST,
  remove_labels: LABEL_LIST,
  milestone_id: INT,
  remove_source_branch: BOOL,
  allow_collaboration: BOOL,
  allow_maintainer_to_push: BOOL,
  squash: BOOL,
  merge_after: STR,
  approvals_before_merge: INT,
};

/** `postApiV4ProjectsIdMergeRequests`. */
const CREATE_MR_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['title', 'source_branch', 'target_branch'],
  properties: { ...MR_COMMON_ATTRIBUTES, source_branch: BRANCH, target_project_id: INT },
};

/** `putApiV4ProjectsIdMergeRequestsMergeRequestIid`; "at least one" is from the docs. */
const UPDATE_MR_BODY = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    ...MR_COMMON_ATTRIBUTES,
    state_event: { type: 'string', enum: ['close', 'reopen'] },
    discussion_locked: BOOL,
  },
};

/** lib/api/notes.rb, "Get a list of merge request notes". */
const NOTES_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    order_by: { type: 'string', enum: ['created_at', 'updated_at'] },
    sort: { type: 'string', enum: ['asc', 'desc'] },
    activity_filter: { type: 'string', enum: ['all_notes', 'only_comments', 'only_activity'] },
    ...PAGINATION,
  },
};

/** Docs: "body" ≤ 1,000,000 characters; notes.rb: not blank. */
const NOTE_TEXT = { type: 'string', minLength: 1, maxLength: 1_000_000 };

/** lib/api/notes.rb, "Create a new merge request note". */
const CREATE_NOTE_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['body'],
  properties: {
    body: NOTE_TEXT,
    confidential: BOOL,
    internal: BOOL,
    created_at: STR,
    merge_request_diff_head_sha: STR,
  },
};

/** lib/api/notes.rb, "Update an existing merge request note" (docs: body required). */
const UPDATE_NOTE_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['body'],
  properties: { body: NOTE_TEXT, confidential: BOOL },
};

const EMPTY_QUERY = { type: 'object', additionalProperties: false, properties: {} };

// ---------------------------------------------------------------------------------------------
// Routes.

interface Route {
  readonly id: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly query: JsonObject;
  readonly body?: JsonObject;
  /** Valid parameters and attributes this fake acts on; any other valid one is a violation. */
  readonly simulated: readonly string[];
  readonly status: number;
  readonly response: (query: JsonObject) => JsonObject;
}

const LIST_MR_RESPONSE = { type: 'array', items: MERGE_REQUEST_BASIC_SCHEMA };
const LIST_MR_SIMPLE_RESPONSE = { type: 'array', items: MERGE_REQUEST_SIMPLE_SCHEMA };
const LIST_NOTES_RESPONSE = { type: 'array', items: NOTE_SCHEMA };

const PROJECT = '/api/v4/projects/([^/]+)';
const MR_PATH = `${PROJECT}/merge_requests`;
const always = (schema: JsonObject) => (): JsonObject => schema;

const ROUTES: Route[] = [
  {
    id: 'list-merge-requests',
    method: 'GET',
    pattern: new RegExp(`^${MR_PATH}$`),
    query: LIST_MR_QUERY,
    simulated: [
      'state',
      'source_branch',
      'target_branch',
      'labels',
      'iids',
      'search',
      'view',
      'with_labels_details',
      'order_by',
      'sort',
      'page',
      'per_page',
    ],
    status: 200,
    response: (query) => (query.view === 'simple' ? LIST_MR_SIMPLE_RESPONSE : LIST_MR_RESPONSE),
  },
  {
    id: 'create-merge-request',
    method: 'POST',
    pattern: new RegExp(`^${MR_PATH}$`),
    query: EMPTY_QUERY,
    body: CREATE_MR_BODY,
    simulated: [
      'title',
      'source_branch',
      'target_branch',
      'description',
      'labels',
      'add_labels',
      'remove_labels',
      'remove_source_branch',
      'squash',
      'allow_collaboration',
      'allow_maintainer_to_push',
    ],
    status: 201,
    response: always(MERGE_REQUEST_SCHEMA),
  },
  {
    id: 'get-merge-request',
    method: 'GET',
    pattern: new RegExp(`^${MR_PATH}/(\\d+)$`),
    query: SHOW_MR_QUERY,
    simulated: ['render_html', 'include_diverged_commits_count', 'include_rebase_in_progress'],
    status: 200,
    response: always(MERGE_REQUEST_SCHEMA),
  },
  {
    id: 'update-merge-request',
    method: 'PUT',
    pattern: new RegExp(`^${MR_PATH}/(\\d+)$`),
    query: EMPTY_QUERY,
    body: UPDATE_MR_BODY,
    simulated: [
      'title',
      'target_branch',
      'description',
      'labels',
      'add_labels',
      'remove_labels',
      'state_event',
      'remove_source_branch',
      'squash',
      'discussion_locked',
      'allow_collaboration',
      'allow_maintainer_to_push',
    ],
    status: 200,
    response: always(MERGE_REQUEST_SCHEMA),
  },
  {
    id: 'list-notes',
    method: 'GET',
    pattern: new RegExp(`^${MR_PATH}/(\\d+)/notes$`),
    query: NOTES_QUERY,
    simulated: ['order_by', 'sort', 'activity_filter', 'page', 'per_page'],
    status: 200,
    response: always(LIST_NOTES_RESPONSE),
  },
  {
    id: 'create-note',
    method: 'POST',
    pattern: new RegExp(`^${MR_PATH}/(\\d+)/notes$`),
    query: EMPTY_QUERY,
    body: CREATE_NOTE_BODY,
    simulated: ['body', 'internal', 'confidential'],
    status: 201,
    response: always(NOTE_SCHEMA),
  },
  {
    id: 'update-note',
    method: 'PUT',
    pattern: new RegExp(`^${MR_PATH}/(\\d+)/notes/(\\d+)$`),
    query: EMPTY_QUERY,
    body: UPDATE_NOTE_BODY,
    simulated: ['body'],
    status: 200,
    response: always(NOTE_SCHEMA),
  },
];

// ---------------------------------------------------------------------------------------------
// State.

interface FakeMergeRequest {
  iid: number;
  title: string;
  description: string;
  source: string;
  target: string;
  state: 'opened' | 'closed' | 'merged';
  labels: string[];
  forceRemoveSourceBranch: boolean | null;
  squash: boolean;
  allowCollaboration: boolean;
  discussionLocked: boolean | null;
  /** Logical clock ticks (see `stamp`). */
  created: number;
  updated: number;
  closed: number | null;
}

interface FakeNote {
  id: number;
  iid: number;
  body: string;
  system: boolean;
  internal: boolean;
  created: number;
  updated: number;
}

export interface FakeGitLab {
  /** Base URL for @gitbeaker's `host` option. */
  readonly url: string;
  readonly projectPath: string;
  readonly mergeRequests: Map<number, FakeMergeRequest>;
  readonly notes: Map<number, FakeNote>;
  readonly calls: string[];
  readonly violations: string[];
  readonly tokens: (string | undefined)[];
  close(): Promise<void>;
}

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

interface FakeRequest {
  readonly match: RegExpExecArray;
  readonly query: JsonObject;
  readonly body: JsonObject;
  readonly url: URL;
}

const PROJECT_ID = 42;
const reply = (status: number, body: unknown, headers?: Record<string, string>): Reply => ({
  status,
  body,
  ...(headers === undefined ? {} : { headers }),
});
const notFound = (what = 'Not found'): Reply => reply(404, { message: `404 ${what}` });

// ---------------------------------------------------------------------------------------------
// Query typing, labels, pagination.

/** Grape's Boolean coercion (dry-types `Params::Bool`). */
const TRUE_WORDS = new Set(['1', 'on', 't', 'true', 'y', 'yes']);
const FALSE_WORDS = new Set(['0', 'off', 'f', 'false', 'n', 'no']);

/** A query value as the spec's type means it; a value that does not fit stays a string. */
function coerce(value: string, type: unknown): unknown {
  if (type === 'integer') return /^-?\d+$/.test(value) ? Number(value) : value;
  if (type === 'boolean') {
    if (TRUE_WORDS.has(value.toLowerCase())) return true;
    if (FALSE_WORDS.has(value.toLowerCase())) return false;
  }
  return value;
}

/** Query strings carry text; arrays come as `name[]=a&name[]=b` or `name=a,b`. */
function typedQuery(query: URLSearchParams, schema: JsonObject): JsonObject {
  const properties = (schema.properties ?? {}) as Record<
    string,
    { type?: string; items?: { type?: string } }
  >;
  const result: JsonObject = {};
  for (const [rawKey, value] of query.entries()) {
    const bracketed = rawKey.endsWith('[]');
    const key = bracketed ? rawKey.slice(0, -2) : rawKey;
    const property = properties[key];
    if (property?.type === 'array') {
      const previous = Array.isArray(result[key]) ? (result[key] as unknown[]) : [];
      const items = bracketed ? [value] : value.split(',');
      result[key] = [...previous, ...items.map((item) => coerce(item, property.items?.type))];
    } else {
      result[key] = coerce(value, property?.type);
    }
  }
  return result;
}

function labelList(value: unknown): string[] {
  const items = Array.isArray(value) ? value.map(String) : String(value).split(',');
  return items.map((label) => label.trim()).filter((label) => label !== '');
}

/** Offset pagination as GitLab does it: default 20 per page, at most 100, headers and links. */
function paginate<T>(items: T[], req: FakeRequest): { page: T[]; headers: Record<string, string> } {
  const perPage = Math.min(Math.max(Number(req.query.per_page ?? 20), 1), 100);
  const page = Math.max(Number(req.query.page ?? 1), 1);
  const totalPages = Math.max(1, Math.ceil(items.length / perPage));
  const href = (n: number): string => {
    const link = new URL(req.url.href);
    link.searchParams.delete('private_token');
    link.searchParams.set('page', String(n));
    link.searchParams.set('per_page', String(perPage));
    return link.href;
  };
  const rels: [string, number][] = [];
  if (page > 1) rels.push(['prev', page - 1]);
  if (page < totalPages) rels.push(['next', page + 1]);
  rels.push(['first', 1], ['last', totalPages]);
  return {
    page: items.slice((page - 1) * perPage, page * perPage),
    headers: {
      'x-page': String(page),
      'x-per-page': String(perPage),
      'x-total': String(items.length),
      'x-total-pages': String(totalPages),
      'x-next-page': page < totalPages ? String(page + 1) : '',
      'x-prev-page': page > 1 ? String(page - 1) : '',
      link: rels.map(([rel, n]) => `<${href(n)}>; rel="${rel}"`).join(', '),
    },
  };
}

function compareBy<T>(key: (item: T) => number | string, sort: unknown): (a: T, b: T) => number {
  const direction = sort === 'asc' ? 1 : -1;
  return (a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : 0) * direction;
  };
}

const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

// ---------------------------------------------------------------------------------------------
// The server.

export async function startFakeGitLab(options: { projectPath?: string } = {}): Promise<FakeGitLab> {
  const projectPath = options.projectPath ?? 'platform/infra/clusters';
  const ajv = new Ajv({ strict: true, allErrors: true });
  addFormats(ajv);
  const compiled = new Map<JsonObject, ValidateFunction>();
  const check = (schema: JsonObject, value: unknown, what: string): string[] => {
    let fn = compiled.get(schema);
    if (fn === undefined) {
      fn = ajv.compile(schema);
      compiled.set(schema, fn);
    }
    return fn(value) ? [] : [`${what}: ${ajv.errorsText(fn.errors, { dataVar: what })}`];
  };
  const mergeRequests = new Map<number, FakeMergeRequest>();
  const notes = new Map<number, FakeNote>();
  const calls: string[] = [];
  const violations: string[] = [];
  const tokens: (string | undefined)[] = [];
  let nextIid = 1;
  let nextNote = 7000;
  let clock = 0;
  const tick = (): number => ++clock;
  /** A logical tick as a timestamp, so `created_at`/`updated_at` order like the events did. */
  const stamp = (t: number): string => new Date(Date.UTC(2026, 10, 30, 12, 0, t)).toISOString();
  let baseUrl = '';
  const webBase = 'https://gitlab.example.test';
  const author = {
    id: 7,
    username: 'tars-bot',
    name: 'TARS bot',
    state: 'active',
    locked: false,
    avatar_url: null,
    web_url: `${webBase}/tars-bot`,
  };
  const sha = 'a'.repeat(40);

  const notSimulated = (route: Route, what: string): void => {
    violations.push(`${route.id}: ${what} is valid per the spec but not simulated by this fake`);
  };

  const labelsOut = (mr: FakeMergeRequest, detailed: boolean): unknown[] =>
    detailed
      ? mr.labels.map((name, i) => ({
          id: 500 + i,
          name,
          color: '#428BCA',
          description: null,
          description_html: '',
          text_color: '#FFFFFF',
        }))
      : [...mr.labels];

  const mrSimple = (mr: FakeMergeRequest): JsonObject => ({
    id: 90_000 + mr.iid,
    iid: mr.iid,
    project_id: PROJECT_ID,
    title: mr.title,
    description: mr.description,
    state: mr.state,
    created_at: stamp(mr.created),
    updated_at: stamp(mr.updated),
    web_url: `${webBase}/${projectPath}/-/merge_requests/${mr.iid}`,
  });

  const mrBasic = (mr: FakeMergeRequest, detailedLabels = false): JsonObject => ({
    ...mrSimple(mr),
    merged_by: null,
    merge_user: null,
    merged_at: null,
    closed_by: mr.closed === null ? null : author,
    closed_at: mr.closed === null ? null : stamp(mr.closed),
    target_branch: mr.target,
    source_branch: mr.source,
    user_notes_count: [...notes.values()].filter((n) => n.iid === mr.iid && !n.system).length,
    upvotes: 0,
    downvotes: 0,
    author,
    assignees: [],
    assignee: null,
    reviewers: [],
    source_project_id: PROJECT_ID,
    target_project_id: PROJECT_ID,
    labels: labelsOut(mr, detailedLabels),
    draft: /^\s*(draft:|\[draft\]|\(draft\))/i.test(mr.title),
    imported: false,
    imported_from: 'none',
    work_in_progress: /^\s*(draft:|\[draft\]|\(draft\))/i.test(mr.title),
    milestone: null,
    merge_when_pipeline_succeeds: false,
    merge_status: 'can_be_merged',
    detailed_merge_status: mr.state === 'opened' ? 'mergeable' : 'not_open',
    merge_after: null,
    sha,
    merge_commit_sha: null,
    squash_commit_sha: null,
    discussion_locked: mr.discussionLocked,
    should_remove_source_branch: null,
    force_remove_source_branch: mr.forceRemoveSourceBranch,
    prepared_at: stamp(mr.created),
    allow_collaboration: mr.allowCollaboration,
    allow_maintainer_to_push: mr.allowCollaboration,
    reference: `!${mr.iid}`,
    references: { short: `!${mr.iid}`, relative: `!${mr.iid}`, full: `${projectPath}!${mr.iid}` },
    time_stats: {
      time_estimate: 0,
      total_time_spent: 0,
      human_time_estimate: null,
      human_total_time_spent: null,
    },
    squash: mr.squash,
    squash_on_merge: mr.squash,
    task_completion_status: { count: 0, completed_count: 0 },
    has_conflicts: false,
    blocking_discussions_resolved: true,
  });

  const mrFull = (mr: FakeMergeRequest, query: JsonObject = {}): JsonObject => ({
    ...mrBasic(mr),
    ...(query.render_html === true
      ? {
          title_html: escapeHtml(mr.title),
          description_html: `<p>${escapeHtml(mr.description)}</p>`,
        }
      : {}),
    subscribed: true,
    changes_count: '1',
    latest_build_started_at: null,
    latest_build_finished_at: null,
    first_deployed_to_production_at: null,
    pipeline: null,
    head_pipeline: null,
    diff_refs: { base_sha: 'b'.repeat(40), head_sha: sha, start_sha: 'b'.repeat(40) },
    merge_error: null,
    ...(query.include_rebase_in_progress === true ? { rebase_in_progress: false } : {}),
    ...(query.include_diverged_commits_count === true ? { diverged_commits_count: 0 } : {}),
    first_contribution: false,
    user: { can_merge: true },
  });

  const noteObject = (note: FakeNote): JsonObject => ({
    id: note.id,
    type: null,
    body: note.body,
    attachment: null,
    author,
    created_at: stamp(note.created),
    updated_at: stamp(note.updated),
    system: note.system,
    noteable_id: 90_000 + note.iid,
    noteable_type: 'MergeRequest',
    resolvable: false,
    confidential: note.internal,
    internal: note.internal,
    imported: false,
    imported_from: 'none',
    noteable_iid: note.iid,
    project_id: PROJECT_ID,
    commands_changes: {},
  });

  const matchesLabels = (mr: FakeMergeRequest, wanted: unknown): boolean => {
    if (wanted === undefined) return true;
    const names = labelList(wanted);
    if (names.length === 1 && names[0]?.toLowerCase() === 'none') return mr.labels.length === 0;
    if (names.length === 1 && names[0]?.toLowerCase() === 'any') return mr.labels.length > 0;
    return names.every((name) => mr.labels.includes(name));
  };

  const listMergeRequests = (route: Route, req: FakeRequest): Reply => {
    const q = req.query;
    const state = q.state ?? 'all';
    const search = typeof q.search === 'string' ? q.search.toLowerCase() : undefined;
    const iids = Array.isArray(q.iids) ? (q.iids as number[]) : undefined;
    const orderBy = typeof q.order_by === 'string' ? q.order_by : 'created_at';
    if (!['created_at', 'updated_at', 'title'].includes(orderBy))
      notSimulated(route, `order_by=${orderBy}`);
    const key = (mr: FakeMergeRequest): number | string =>
      orderBy === 'title' ? mr.title : orderBy === 'updated_at' ? mr.updated : mr.created;
    const list = [...mergeRequests.values()]
      .filter(
        (mr) =>
          (state === 'all' || mr.state === state) &&
          (q.source_branch === undefined || mr.source === q.source_branch) &&
          (q.target_branch === undefined || mr.target === q.target_branch) &&
          matchesLabels(mr, q.labels) &&
          (iids === undefined || iids.includes(mr.iid)) &&
          (search === undefined || `${mr.title}\n${mr.description}`.toLowerCase().includes(search)),
      )
      .sort(compareBy(key, q.sort ?? 'desc'));
    const { page, headers } = paginate(list, req);
    const render = (mr: FakeMergeRequest): JsonObject =>
      q.view === 'simple' ? mrSimple(mr) : mrBasic(mr, q.with_labels_details === true);
    return reply(200, page.map(render), headers);
  };

  const applyLabels = (mr: FakeMergeRequest, body: JsonObject): void => {
    if (body.labels !== undefined) mr.labels = [...new Set(labelList(body.labels))];
    if (body.add_labels !== undefined)
      for (const label of labelList(body.add_labels))
        if (!mr.labels.includes(label)) mr.labels.push(label);
    if (body.remove_labels !== undefined) {
      const removed = labelList(body.remove_labels);
      mr.labels = mr.labels.filter((label) => !removed.includes(label));
    }
  };

  const createMergeRequest = (req: FakeRequest): Reply => {
    const body = req.body;
    const source = String(body.source_branch);
    const target = String(body.target_branch);
    const duplicate = [...mergeRequests.values()].find(
      (mr) => mr.state === 'opened' && mr.source === source && mr.target === target,
    );
    if (duplicate !== undefined) {
      return reply(409, {
        message: [
          `Another open merge request already exists for this source branch: !${duplicate.iid}`,
        ],
      });
    }
    const now = tick();
    const mr: FakeMergeRequest = {
      iid: nextIid++,
      title: String(body.title),
      description: typeof body.description === 'string' ? body.description : '',
      source,
      target,
      state: 'opened',
      labels: [],
      forceRemoveSourceBranch: body.remove_source_branch === true,
      squash: body.squash === true,
      allowCollaboration:
        body.allow_collaboration === true || body.allow_maintainer_to_push === true,
      discussionLocked: null,
      created: now,
      updated: now,
      closed: null,
    };
    applyLabels(mr, body);
    mergeRequests.set(mr.iid, mr);
    return reply(201, mrFull(mr));
  };

  const updateMergeRequest = (req: FakeRequest): Reply => {
    const mr = mergeRequests.get(Number(req.match[2]));
    if (mr === undefined) return notFound();
    const body = req.body;
    if (typeof body.title === 'string') mr.title = body.title;
    if (typeof body.description === 'string') mr.description = body.description;
    if (typeof body.target_branch === 'string') mr.target = body.target_branch;
    if (typeof body.remove_source_branch === 'boolean')
      mr.forceRemoveSourceBranch = body.remove_source_branch;
    if (typeof body.squash === 'boolean') mr.squash = body.squash;
    if (typeof body.discussion_locked === 'boolean') mr.discussionLocked = body.discussion_locked;
    const collaboration = body.allow_collaboration ?? body.allow_maintainer_to_push;
    if (typeof collaboration === 'boolean') mr.allowCollaboration = collaboration;
    applyLabels(mr, body);
    if (body.state_event === 'close' && mr.state === 'opened') {
      mr.state = 'closed';
      mr.closed = tick();
    }
    if (body.state_event === 'reopen' && mr.state === 'closed') {
      mr.state = 'opened';
      mr.closed = null;
    }
    mr.updated = tick();
    return reply(200, mrFull(mr));
  };

  const listNotes = (req: FakeRequest): Reply => {
    const iid = Number(req.match[2]);
    if (!mergeRequests.has(iid)) return notFound();
    const filter = req.query.activity_filter ?? 'all_notes';
    const key = (n: FakeNote): number => (req.query.order_by === 'updated_at' ? n.updated : n.id);
    const list = [...notes.values()]
      .filter(
        (n) =>
          n.iid === iid && (filter === 'all_notes' || (filter === 'only_activity') === n.system),
      )
      .sort(compareBy(key, req.query.sort ?? 'desc'));
    const { page, headers } = paginate(list, req);
    return reply(200, page.map(noteObject), headers);
  };

  const createNote = (req: FakeRequest): Reply => {
    const iid = Number(req.match[2]);
    if (!mergeRequests.has(iid)) return notFound();
    const now = tick();
    const note: FakeNote = {
      id: nextNote++,
      iid,
      body: String(req.body.body),
      system: false,
      internal: req.body.internal === true || req.body.confidential === true,
      created: now,
      updated: now,
    };
    notes.set(note.id, note);
    return reply(201, noteObject(note));
  };

  const updateNote = (req: FakeRequest): Reply => {
    const note = notes.get(Number(req.match[3]));
    if (note === undefined || note.iid !== Number(req.match[2])) return notFound('Note Not Found');
    note.body = String(req.body.body);
    note.updated = tick();
    return reply(200, noteObject(note));
  };

  const handlers: Record<string, (route: Route, req: FakeRequest) => Reply> = {
    'list-merge-requests': listMergeRequests,
    'create-merge-request': (_route, req) => createMergeRequest(req),
    'get-merge-request': (_route, req) => {
      const mr = mergeRequests.get(Number(req.match[2]));
      return mr === undefined ? notFound() : reply(200, mrFull(mr, req.query));
    },
    'update-merge-request': (_route, req) => updateMergeRequest(req),
    'list-notes': (_route, req) => listNotes(req),
    'create-note': (_route, req) => createNote(req),
    'update-note': (_route, req) => updateNote(req),
  };

  /** Request violations of one matched route; empty when the request is as the spec allows. */
  const checkRequest = (
    route: Route,
    req: IncomingMessage,
    query: JsonObject,
    raw: string,
  ): { problems: string[]; body: JsonObject } => {
    const problems = check(route.query, query, `${route.id} query`);
    let body: JsonObject = {};
    if (route.body === undefined) {
      if (raw !== '') problems.push(`${route.id}: unexpected request body`);
      return { problems, body };
    }
    if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
      problems.push(
        `${route.id}: body is not JSON (the spec's operations consume application/json)`,
      );
    try {
      body = JSON.parse(raw === '' ? '{}' : raw) as JsonObject;
    } catch {
      problems.push(`${route.id}: body is not JSON`);
    }
    problems.push(...check(route.body, body, `${route.id} body`));
    return { problems, body };
  };

  const flagUnsimulated = (route: Route, query: JsonObject, body: JsonObject): void => {
    for (const name of [...Object.keys(query), ...Object.keys(body)]) {
      const known =
        name in ((route.query.properties ?? {}) as JsonObject) ||
        name in ((route.body?.properties ?? {}) as JsonObject);
      if (known && !route.simulated.includes(name)) notSimulated(route, name);
    }
  };

  const readBody = async (req: IncomingMessage): Promise<string> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  };

  const findRoute = (
    method: string,
    path: string,
  ): { route?: Route; match?: RegExpExecArray; pathKnown: boolean } => {
    let pathKnown = false;
    for (const route of ROUTES) {
      const match = route.pattern.exec(path);
      if (match === null) continue;
      pathKnown = true;
      if (route.method === method) return { route, match, pathKnown };
    }
    return { pathKnown };
  };

  const serve = async (req: IncomingMessage): Promise<Reply> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const queryToken = url.searchParams.get('private_token');
    const headerToken = req.headers['private-token'];
    tokens.push(typeof headerToken === 'string' ? headerToken : (queryToken ?? undefined));
    const raw = await readBody(req);
    const method = req.method ?? '';
    const { route, match, pathKnown } = findRoute(method, url.pathname);
    if (route === undefined || match === undefined) {
      calls.push(`UNKNOWN ${method} ${url.pathname}`);
      if (pathKnown) {
        violations.push(`${method} ${url.pathname}: method not served by this fake`);
        return reply(405, { message: '405 Method Not Allowed' });
      }
      violations.push(`no documented GitLab endpoint for ${method} ${url.pathname}`);
      return notFound();
    }
    calls.push(route.id);
    const project = decodeURIComponent(match[1] ?? '');
    if (project !== projectPath && project !== String(PROJECT_ID)) {
      violations.push(`${route.id}: unknown project ${match[1] ?? ''}`);
      return notFound('Project Not Found');
    }
    const params = new URLSearchParams(url.searchParams);
    params.delete('private_token');
    const query = typedQuery(params, route.query);
    const { problems, body } = checkRequest(route, req, query, raw);
    if (problems.length > 0) {
      violations.push(...problems);
      return reply(400, { error: problems.join('; ') });
    }
    flagUnsimulated(route, query, body);
    const handler = handlers[route.id];
    if (handler === undefined) throw new Error(`no handler for ${route.id}`);
    const out = handler(route, {
      match,
      query,
      body,
      url: new URL(url.pathname + url.search, baseUrl),
    });
    if (out.status === route.status)
      violations.push(...check(route.response(query), out.body, `${route.id} response`));
    return out;
  };

  const server = await listenLocal(async (req, res) => {
    const out = await serve(req);
    res.writeHead(out.status, { 'content-type': 'application/json', ...out.headers });
    res.end(JSON.stringify(out.body));
  }, violations);
  baseUrl = server.url;
  return {
    url: baseUrl,
    projectPath,
    mergeRequests,
    notes,
    calls,
    violations,
    tokens,
    close: () => server.close(),
  };
}
