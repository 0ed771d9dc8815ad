/**
 * A local stand-in for the GitLab REST API v4 (merge requests and their notes), every request
 * and response validated with ajv.
 *
 * GitLab publishes no OpenAPI description of these endpoints in any package reachable offline
 * (its `doc/api/openapi/openapi_v2.yaml` lives in the GitLab repository and, per GitLab merge
 * request !104339, does not yet describe the merge-request entities). So the schemas below are
 * written by hand from the GitLab REST documentation, cited per schema, and cross-checked with
 * the response types `@gitbeaker/core` declares (`MergeRequestSchema`, `NoteSchema`):
 *   - https://docs.gitlab.com/api/merge_requests/ (list, get, create, update)
 *   - https://docs.gitlab.com/api/notes/#merge-requests (list, create, modify notes)
 *   - https://docs.gitlab.com/api/rest/#pagination (page, per_page)
 * An unknown path or method, an undocumented query parameter or body attribute is a violation.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type JsonObject = Record<string, unknown>;

const nullable = (schema: JsonObject): JsonObject => ({ anyOf: [schema, { type: 'null' }] });

/** `MappedOmit<SimpleUserSchema, 'created_at'>`; docs: "author" in Get single MR. */
const USER = {
  type: 'object',
  required: ['id', 'name', 'username', 'state', 'avatar_url', 'web_url'],
  properties: {
    id: { type: 'integer' },
    name: { type: 'string' },
    username: { type: 'string' },
    state: { type: 'string' },
    avatar_url: nullable({ type: 'string' }),
    web_url: { type: 'string', format: 'uri' },
  },
};

/** Merge request response (docs: "Get single MR" response attributes; gitbeaker MergeRequestSchema). */
export const MERGE_REQUEST_SCHEMA = {
  type: 'object',
  required: [
    'id',
    'iid',
    'project_id',
    'title',
    'description',
    'state',
    'created_at',
    'updated_at',
    'web_url',
    'target_branch',
    'source_branch',
    'author',
    'source_project_id',
    'target_project_id',
    'labels',
    'draft',
    'work_in_progress',
    'merge_status',
    'detailed_merge_status',
    'sha',
    'merge_commit_sha',
    'squash_commit_sha',
    'user_notes_count',
    'upvotes',
    'downvotes',
    'assignees',
    'reviewers',
    'merged_by',
    'merged_at',
    'closed_by',
    'closed_at',
    'reference',
    'references',
    'has_conflicts',
  ],
  properties: {
    id: { type: 'integer' },
    iid: { type: 'integer' },
    project_id: { type: 'integer' },
    title: { type: 'string' },
    description: nullable({ type: 'string' }),
    state: { enum: ['opened', 'closed', 'locked', 'merged'] },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    web_url: { type: 'string', format: 'uri' },
    target_branch: { type: 'string' },
    source_branch: { type: 'string' },
    author: USER,
    source_project_id: { type: 'integer' },
    target_project_id: { type: 'integer' },
    labels: { type: 'array', items: { type: 'string' } },
    draft: { type: 'boolean' },
    work_in_progress: { type: 'boolean' },
    merge_status: {
      enum: [
        'unchecked',
        'checking',
        'can_be_merged',
        'cannot_be_merged',
        'cannot_be_merged_recheck',
      ],
    },
    detailed_merge_status: { type: 'string' },
    sha: { type: 'string' },
    merge_commit_sha: nullable({ type: 'string' }),
    squash_commit_sha: nullable({ type: 'string' }),
    user_notes_count: { type: 'integer' },
    upvotes: { type: 'integer' },
    downvotes: { type: 'integer' },
    assignees: { type: 'array', items: USER },
    reviewers: { type: 'array', items: USER },
    merged_by: nullable(USER),
    merged_at: nullable({ type: 'string', format: 'date-time' }),
    closed_by: nullable(USER),
    closed_at: nullable({ type: 'string', format: 'date-time' }),
    reference: { type: 'string' },
    references: {
      type: 'object',
      required: ['short', 'relative', 'full'],
      properties: {
        short: { type: 'string' },
        relative: { type: 'string' },
        full: { type: 'string' },
      },
    },
    has_conflicts: { type: 'boolean' },
  },
};

/** Note response (docs: notes API "List all merge request notes"; gitbeaker NoteSchema). */
export const NOTE_SCHEMA = {
  type: 'object',
  required: [
    'id',
    'body',
    'attachment',
    'author',
    'created_at',
    'updated_at',
    'system',
    'noteable_id',
    'noteable_type',
    'noteable_iid',
    'project_id',
    'resolvable',
  ],
  properties: {
    id: { type: 'integer' },
    body: { type: 'string' },
    attachment: nullable({ type: 'string' }),
    author: USER,
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    system: { type: 'boolean' },
    noteable_id: { type: 'integer' },
    noteable_type: { const: 'MergeRequest' },
    noteable_iid: { type: 'integer' },
    project_id: { type: 'integer' },
    resolvable: { type: 'boolean' },
  },
};

const PAGINATION = {
  page: { type: 'integer', minimum: 1 },
  per_page: { type: 'integer', minimum: 1, maximum: 100 },
};

/** Documented attributes of "List project merge requests" (a subset TARS may use, all optional). */
const LIST_MR_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...PAGINATION,
    state: { enum: ['opened', 'closed', 'locked', 'merged', 'all'] },
    source_branch: { type: 'string' },
    target_branch: { type: 'string' },
    labels: { type: 'string' },
    order_by: { enum: ['created_at', 'updated_at', 'title'] },
    sort: { enum: ['asc', 'desc'] },
    view: { const: 'simple' },
    with_labels_details: { type: 'boolean' },
  },
};

const MR_TEXT_LIMIT = 1_048_576;

/** "Create MR" attributes: source_branch, target_branch and title required. */
const CREATE_MR_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['source_branch', 'target_branch', 'title'],
  properties: {
    source_branch: { type: 'string', minLength: 1 },
    target_branch: { type: 'string', minLength: 1 },
    title: { type: 'string', minLength: 1, maxLength: 255 },
    description: { type: 'string', maxLength: MR_TEXT_LIMIT },
    labels: { type: 'string' },
    remove_source_branch: { type: 'boolean' },
    squash: { type: 'boolean' },
    allow_collaboration: { type: 'boolean' },
    assignee_id: { type: 'integer' },
    assignee_ids: { type: 'array', items: { type: 'integer' } },
    reviewer_ids: { type: 'array', items: { type: 'integer' } },
    milestone_id: { type: 'integer' },
    target_project_id: { type: 'integer' },
  },
};

/** "Update MR": at least one of the optional attributes. */
const UPDATE_MR_BODY = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    title: { type: 'string', minLength: 1, maxLength: 255 },
    description: { type: 'string', maxLength: MR_TEXT_LIMIT },
    add_labels: { type: 'string' },
    remove_labels: { type: 'string' },
    labels: { type: 'string' },
    target_branch: { type: 'string' },
    state_event: { enum: ['close', 'reopen'] },
    remove_source_branch: { type: 'boolean' },
    squash: { type: 'boolean' },
    discussion_locked: { type: 'boolean' },
    allow_collaboration: { type: 'boolean' },
    assignee_id: { type: 'integer' },
    assignee_ids: { type: 'array', items: { type: 'integer' } },
    reviewer_ids: { type: 'array', items: { type: 'integer' } },
    milestone_id: { type: 'integer' },
  },
};

/** "Create new merge request note" / "Modify existing merge request note": body required (≤ 1,000,000). */
const NOTE_BODY = {
  type: 'object',
  additionalProperties: false,
  required: ['body'],
  properties: {
    body: { type: 'string', minLength: 1, maxLength: 1_000_000 },
    internal: { type: 'boolean' },
    created_at: { type: 'string' },
    merge_request_diff_sha: { type: 'string' },
  },
};

const NOTES_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    ...PAGINATION,
    sort: { enum: ['asc', 'desc'] },
    order_by: { enum: ['created_at', 'updated_at'] },
  },
};

const EMPTY_QUERY = { type: 'object', additionalProperties: false, properties: {} };
const SHOW_MR_QUERY = {
  type: 'object',
  additionalProperties: false,
  properties: {
    render_html: { type: 'boolean' },
    include_diverged_commits_count: { type: 'boolean' },
    include_rebase_in_progress: { type: 'boolean' },
  },
};

interface Route {
  readonly id: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly query: JsonObject;
  readonly body?: JsonObject;
  readonly status: number;
  readonly response: JsonObject;
}

const PROJECT = '/api/v4/projects/([^/]+)';
const ROUTES: Route[] = [
  {
    id: 'list-merge-requests',
    method: 'GET',
    pattern: new RegExp(`^${PROJECT}/merge_requests$`),
    query: LIST_MR_QUERY,
    status: 200,
    response: { type: 'array', items: MERGE_REQUEST_SCHEMA },
  },
  {
    id: 'create-merge-request',
    method: 'POST',
    pattern: new RegExp(`^${PROJECT}/merge_requests$`),
    query: EMPTY_QUERY,
    body: CREATE_MR_BODY,
    status: 201,
    response: MERGE_REQUEST_SCHEMA,
  },
  {
    id: 'get-merge-request',
    method: 'GET',
    pattern: new RegExp(`^${PROJECT}/merge_requests/(\\d+)$`),
    query: SHOW_MR_QUERY,
    status: 200,
    response: MERGE_REQUEST_SCHEMA,
  },
  {
    id: 'update-merge-request',
    method: 'PUT',
    pattern: new RegExp(`^${PROJECT}/merge_requests/(\\d+)$`),
    query: EMPTY_QUERY,
    body: UPDATE_MR_BODY,
    status: 200,
    response: MERGE_REQUEST_SCHEMA,
  },
  {
    id: 'list-notes',
    method: 'GET',
    pattern: new RegExp(`^${PROJECT}/merge_requests/(\\d+)/notes$`),
    query: NOTES_QUERY,
    status: 200,
    response: { type: 'array', items: NOTE_SCHEMA },
  },
  {
    id: 'create-note',
    method: 'POST',
    pattern: new RegExp(`^${PROJECT}/merge_requests/(\\d+)/notes$`),
    query: EMPTY_QUERY,
    body: NOTE_BODY,
    status: 201,
    response: NOTE_SCHEMA,
  },
  {
    id: 'update-note',
    method: 'PUT',
    pattern: new RegExp(`^${PROJECT}/merge_requests/(\\d+)/notes/(\\d+)$`),
    query: EMPTY_QUERY,
    body: NOTE_BODY,
    status: 200,
    response: NOTE_SCHEMA,
  },
];

interface FakeMergeRequest {
  iid: number;
  title: string;
  description: string;
  source: string;
  target: string;
  state: 'opened' | 'closed' | 'merged';
  labels: string[];
}

interface FakeNote {
  id: number;
  iid: number;
  body: string;
  system: boolean;
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

/** Query values arrive as strings; the documented types say what they mean. */
function typedQuery(query: URLSearchParams, schema: JsonObject): JsonObject {
  const properties = (schema.properties ?? {}) as Record<string, { type?: string }>;
  const result: JsonObject = {};
  for (const [key, value] of query.entries()) {
    const type = properties[key]?.type;
    result[key] =
      type === 'integer' ? Number(value) : type === 'boolean' ? value === 'true' : value;
  }
  return result;
}

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
  let baseUrl = '';
  const now = '2026-11-30T12:00:00.000Z';
  const author = {
    id: 7,
    name: 'TARS bot',
    username: 'tars-bot',
    state: 'active',
    avatar_url: null,
    web_url: 'https://gitlab.example.test/tars-bot',
  };

  const mrObject = (mr: FakeMergeRequest): JsonObject => ({
    id: 90_000 + mr.iid,
    iid: mr.iid,
    project_id: 42,
    title: mr.title,
    description: mr.description,
    state: mr.state,
    created_at: now,
    updated_at: now,
    web_url: `https://gitlab.example.test/${projectPath}/-/merge_requests/${mr.iid}`,
    target_branch: mr.target,
    source_branch: mr.source,
    author,
    source_project_id: 42,
    target_project_id: 42,
    labels: mr.labels,
    draft: false,
    work_in_progress: false,
    merge_status: 'can_be_merged',
    detailed_merge_status: 'mergeable',
    sha: 'a'.repeat(40),
    merge_commit_sha: null,
    squash_commit_sha: null,
    user_notes_count: [...notes.values()].filter((n) => n.iid === mr.iid).length,
    upvotes: 0,
    downvotes: 0,
    assignees: [],
    reviewers: [],
    merged_by: null,
    merged_at: null,
    closed_by: null,
    closed_at: null,
    reference: `!${mr.iid}`,
    references: { short: `!${mr.iid}`, relative: `!${mr.iid}`, full: `${projectPath}!${mr.iid}` },
    has_conflicts: false,
  });

  const noteObject = (note: FakeNote): JsonObject => ({
    id: note.id,
    body: note.body,
    attachment: null,
    author,
    created_at: now,
    updated_at: now,
    system: note.system,
    noteable_id: 90_000 + note.iid,
    noteable_type: 'MergeRequest',
    noteable_iid: note.iid,
    project_id: 42,
    resolvable: false,
  });

  const reply = (status: number, body: unknown): { status: number; body: unknown } => ({
    status,
    body,
  });
  const notFound = reply(404, { message: '404 Not found' });

  const handlers: Record<
    string,
    (m: RegExpExecArray, q: URLSearchParams, body: JsonObject) => { status: number; body: unknown }
  > = {
    'list-merge-requests': (_m, q) => {
      const state = q.get('state') ?? 'all';
      const list = [...mergeRequests.values()].filter(
        (mr) =>
          (state === 'all' || mr.state === state) &&
          (q.get('source_branch') === null || mr.source === q.get('source_branch')) &&
          (q.get('target_branch') === null || mr.target === q.get('target_branch')),
      );
      return reply(200, list.map(mrObject));
    },
    'create-merge-request': (_m, _q, body) => {
      const source = String(body.source_branch);
      const target = String(body.target_branch);
      if (
        [...mergeRequests.values()].some(
          (mr) => mr.state === 'opened' && mr.source === source && mr.target === target,
        )
      ) {
        return reply(409, {
          message: ['Another open merge request already exists for this source branch'],
        });
      }
      const mr: FakeMergeRequest = {
        iid: nextIid++,
        title: String(body.title),
        description: typeof body.description === 'string' ? body.description : '',
        source,
        target,
        state: 'opened',
        labels:
          typeof body.labels === 'string' ? body.labels.split(',').filter((l) => l !== '') : [],
      };
      mergeRequests.set(mr.iid, mr);
      return reply(201, mrObject(mr));
    },
    'get-merge-request': (m) => {
      const mr = mergeRequests.get(Number(m[2]));
      return mr === undefined ? notFound : reply(200, mrObject(mr));
    },
    'update-merge-request': (m, _q, body) => {
      const mr = mergeRequests.get(Number(m[2]));
      if (mr === undefined) return notFound;
      if (typeof body.title === 'string') mr.title = body.title;
      if (typeof body.description === 'string') mr.description = body.description;
      if (typeof body.add_labels === 'string') {
        for (const label of body.add_labels.split(','))
          if (label !== '' && !mr.labels.includes(label)) mr.labels.push(label);
      }
      return reply(200, mrObject(mr));
    },
    'list-notes': (m) => {
      const iid = Number(m[2]);
      if (!mergeRequests.has(iid)) return notFound;
      return reply(200, [...notes.values()].filter((n) => n.iid === iid).map(noteObject));
    },
    'create-note': (m, _q, body) => {
      const iid = Number(m[2]);
      if (!mergeRequests.has(iid)) return notFound;
      const note: FakeNote = { id: nextNote++, iid, body: String(body.body), system: false };
      notes.set(note.id, note);
      return reply(201, noteObject(note));
    },
    'update-note': (m, _q, body) => {
      const note = notes.get(Number(m[3]));
      if (note === undefined || note.iid !== Number(m[2])) return notFound;
      note.body = String(body.body);
      return reply(200, noteObject(note));
    },
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const token = req.headers['private-token'];
    tokens.push(typeof token === 'string' ? token : undefined);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let match: RegExpExecArray | null = null;
    const route = ROUTES.find(
      (r) => r.method === req.method && (match = r.pattern.exec(url.pathname)) !== null,
    );
    const send = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (route === undefined || match === null) {
      calls.push(`UNKNOWN ${req.method ?? ''} ${url.pathname}`);
      violations.push(`no documented GitLab endpoint for ${req.method ?? ''} ${url.pathname}`);
      send(404, { message: '404 Not found' });
      return;
    }
    const matched: RegExpExecArray = match;
    calls.push(route.id);
    if (decodeURIComponent(matched[1] ?? '') !== projectPath)
      violations.push(`${route.id}: unknown project ${matched[1] ?? ''}`);
    violations.push(
      ...check(route.query, typedQuery(url.searchParams, route.query), `${route.id} query`),
    );
    let body: JsonObject = {};
    if (route.body !== undefined) {
      if (!(req.headers['content-type'] ?? '').startsWith('application/json'))
        violations.push(`${route.id}: body is not JSON`);
      try {
        body = JSON.parse(raw === '' ? '{}' : raw) as JsonObject;
      } catch {
        violations.push(`${route.id}: body is not JSON`);
      }
      violations.push(...check(route.body, body, `${route.id} body`));
    } else if (raw !== '') {
      violations.push(`${route.id}: unexpected request body`);
    }
    const handler = handlers[route.id];
    if (handler === undefined) throw new Error(`no handler for ${route.id}`);
    const out = handler(matched, url.searchParams, body);
    if (out.status === route.status)
      violations.push(...check(route.response, out.body, `${route.id} response`));
    send(out.status, out.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      violations.push(`fake failed: ${String(e)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: baseUrl,
    projectPath,
    mergeRequests,
    notes,
    calls,
    violations,
    tokens,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((e) => (e ? reject(e) : resolve()));
      }),
  };
}
