/**
 * A local stand-in for the GitHub REST API, held to GitHub's published description: every
 * request is matched to an operation of `@octokit/openapi`'s api.github.com spec (an unknown
 * path or method is a violation), its path and query parameters and JSON body are validated
 * with ajv against that operation's schemas, and so is every response this fake sends back.
 * Tests assert `violations` is empty.
 *
 * Responses start from the spec's own examples, with the fields the fake tracks overwritten.
 */
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenLocal } from './local-server.js';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

const require = createRequire(import.meta.url);
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonObject;
}

interface OpenApiOperation {
  operationId: string;
  parameters?: (OpenApiParameter | { $ref: string })[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonObject }> };
  responses: Record<
    string,
    { content?: Record<string, { schema: JsonObject }> } | { $ref: string }
  >;
}

interface OpenApiSpec {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonObject>;
    parameters: Record<string, OpenApiParameter>;
    examples: Record<string, { value: Json }>;
    responses: Record<string, { content?: Record<string, { schema: JsonObject }> }>;
  };
}

const SPEC_ID = 'api.github.com.json';

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: `nullable: true` becomes a `null` alternative and
 * local `$ref`s point into the registered spec document.
 */
export function toJsonSchema(schema: Json, specId: string): Json {
  if (Array.isArray(schema)) return schema.map((s) => toJsonSchema(s, specId));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === 'nullable' || key === 'example' || key === 'examples' || key === 'discriminator')
      continue;
    if (key === '$ref' && typeof value === 'string' && value.startsWith('#/')) {
      out[key] = `${specId}${value}`;
      continue;
    }
    out[key] =
      key === 'properties' || key === 'patternProperties'
        ? mapValues(value, specId)
        : toJsonSchema(value, specId);
  }
  if (schema.nullable !== true) return out;
  if (typeof out.type === 'string' && out.$ref === undefined) {
    const nullable: JsonObject = { ...out, type: [out.type, 'null'] };
    if (Array.isArray(out.enum)) nullable.enum = [...out.enum, null];
    return nullable;
  }
  return { anyOf: [out, { type: 'null' }] };
}

function mapValues(value: Json, specId: string): Json {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v, specId)]));
}

export interface MatchedOperation {
  readonly path: string;
  readonly method: string;
  readonly operation: OpenApiOperation;
  readonly pathParams: Record<string, string>;
}

/** Request/response validation against one OpenAPI 3.0 document. */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: { template: string; regex: RegExp; names: string[]; literals: number }[];

  constructor(
    readonly spec: OpenApiSpec,
    private readonly specId: string,
  ) {
    this.ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateSchema: false,
      coerceTypes: false,
    });
    addFormats(this.ajv);
    // GitHub's own format for `owner/name`.
    this.ajv.addFormat('repo.nwo', /^[^/\s]+\/[^/\s]+$/);
    this.ajv.addSchema(
      toJsonSchema({ components: { schemas: spec.components.schemas } }, specId) as object,
      specId,
    );
    this.routes = Object.keys(spec.paths).map((template) => {
      const names: string[] = [];
      const segments = template.split('/').map((segment) => {
        const param = /^\{(.+)\}$/.exec(segment);
        if (param?.[1] === undefined) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        names.push(param[1]);
        return '([^/]+)';
      });
      return {
        template,
        regex: new RegExp(`^${segments.join('/')}$`),
        names,
        literals: template.split('/').filter((s) => !s.startsWith('{')).length,
      };
    });
  }

  /** The operation for a request, preferring the template with the most literal segments. */
  match(method: string, pathname: string): MatchedOperation | undefined {
    const candidates = this.routes
      .map((route) => ({ route, m: route.regex.exec(pathname) }))
      .filter(
        (c) =>
          c.m !== null && this.spec.paths[c.route.template]?.[method.toLowerCase()] !== undefined,
      )
      .sort((a, b) => b.route.literals - a.route.literals);
    const best = candidates[0];
    if (best?.m === null || best === undefined) return undefined;
    const pathParams: Record<string, string> = {};
    best.route.names.forEach(
      (name, i) => (pathParams[name] = decodeURIComponent(best.m?.[i + 1] ?? '')),
    );
    const operation = this.spec.paths[best.route.template]?.[method.toLowerCase()];
    if (operation === undefined) return undefined;
    return { path: best.route.template, method: method.toLowerCase(), operation, pathParams };
  }

  private parameters(op: OpenApiOperation): OpenApiParameter[] {
    return (op.parameters ?? []).map((p) => {
      if ('$ref' in p) {
        const name = p.$ref.replace('#/components/parameters/', '');
        const resolved = this.spec.components.parameters[name];
        if (resolved === undefined) throw new Error(`unresolved parameter ${p.$ref}`);
        return resolved;
      }
      return p;
    });
  }

  private validator(key: string, schema: Json): ValidateFunction {
    let fn = this.compiled.get(key);
    if (fn === undefined) {
      fn = this.ajv.compile(toJsonSchema(schema, this.specId) as object);
      this.compiled.set(key, fn);
    }
    return fn;
  }

  private check(key: string, schema: Json, value: unknown, what: string): string[] {
    const fn = this.validator(key, schema);
    if (fn(value)) return [];
    return [`${what}: ${this.ajv.errorsText(fn.errors, { dataVar: what })}`];
  }

  /** Violations of the operation's parameters and request body. */
  validateRequest(matched: MatchedOperation, query: URLSearchParams, body: unknown): string[] {
    const { operation } = matched;
    const id = operation.operationId;
    const problems: string[] = [];
    const params = this.parameters(operation);
    for (const p of params) {
      const raw =
        p.in === 'path'
          ? matched.pathParams[p.name]
          : p.in === 'query'
            ? (query.get(p.name) ?? undefined)
            : undefined;
      if (p.in !== 'path' && p.in !== 'query') continue;
      if (raw === undefined) {
        if (p.required === true) problems.push(`${id}: missing ${p.in} parameter ${p.name}`);
        continue;
      }
      const schema = p.schema ?? {};
      const value =
        schema.type === 'integer' || schema.type === 'number'
          ? Number(raw)
          : schema.type === 'boolean'
            ? raw === 'true'
            : raw;
      problems.push(
        ...this.check(`${id}:param:${p.name}`, schema, value, `${id} ${p.in} ${p.name}`),
      );
    }
    for (const name of query.keys()) {
      if (!params.some((p) => p.in === 'query' && p.name === name))
        problems.push(`${id}: unknown query parameter ${name}`);
    }
    const bodySpec = operation.requestBody;
    if (bodySpec !== undefined) {
      const schema = bodySpec.content['application/json']?.schema;
      if (body === undefined) {
        if (bodySpec.required === true) problems.push(`${id}: request body required`);
      } else if (schema === undefined) {
        problems.push(`${id}: JSON body not described`);
      } else {
        problems.push(...this.check(`${id}:body`, schema, body, `${id} request`));
      }
    } else if (body !== undefined) {
      problems.push(`${id}: unexpected request body`);
    }
    return problems;
  }

  /** Violations of a response the fake is about to send. */
  validateResponse(matched: MatchedOperation, status: number, body: unknown): string[] {
    const id = matched.operation.operationId;
    const response = matched.operation.responses[String(status)];
    if (response === undefined) return [`${id}: status ${status} is not a described response`];
    const resolved =
      '$ref' in response
        ? this.spec.components.responses[response.$ref.replace('#/components/responses/', '')]
        : response;
    const schema = resolved?.content?.['application/json']?.schema;
    if (schema === undefined)
      return body === undefined ? [] : [`${id}: ${status} has no JSON body in the spec`];
    return this.check(`${id}:response:${status}`, schema, body, `${id} response ${status}`);
  }

  example(name: string): Json {
    const example = this.spec.components.examples[name];
    if (example === undefined) throw new Error(`no example ${name}`);
    return structuredClone(example.value);
  }
}

let cachedSpec: OpenApiSpec | undefined;

/** The api.github.com description shipped by @octokit/openapi (13 MB; loaded once). */
export function githubSpec(): OpenApiSpec {
  cachedSpec ??= require('@octokit/openapi/generated/api.github.com.json') as OpenApiSpec;
  return cachedSpec;
}

interface FakePull {
  number: number;
  title: string;
  body: string;
  head: string;
  base: string;
  state: 'open' | 'closed';
  labels: string[];
}

interface FakeComment {
  id: number;
  issue: number;
  body: string;
}

export interface FakeGitHub {
  readonly url: string;
  readonly owner: string;
  readonly repo: string;
  readonly pulls: Map<number, FakePull>;
  readonly comments: Map<number, FakeComment>;
  /** Every request as `<operationId>` (or `UNKNOWN <method> <path>`). */
  readonly calls: string[];
  /** Spec violations of requests and responses; a correct client and fake leave this empty. */
  readonly violations: string[];
  readonly authorizations: (string | undefined)[];
  close(): Promise<void>;
}

/** A reply; thrown by handlers to answer early (404), hence an Error. */
class HttpReply extends Error {
  constructor(
    readonly status: number,
    readonly body?: Json,
  ) {
    super(`HTTP ${status}`);
  }
}

/** A JSON value as text: strings as they are, anything else serialised (a spec violation elsewhere). */
function text(value: Json | undefined): string {
  return typeof value === 'string' ? value : JSON.stringify(value ?? null);
}

export async function startFakeGitHub(
  options: { owner?: string; repo?: string } = {},
): Promise<FakeGitHub> {
  const owner = options.owner ?? 'acme';
  const repo = options.repo ?? 'platform';
  const validator = new OpenApiValidator(githubSpec(), SPEC_ID);
  const pulls = new Map<number, FakePull>();
  const comments = new Map<number, FakeComment>();
  const calls: string[] = [];
  const violations: string[] = [];
  const authorizations: (string | undefined)[] = [];
  let nextNumber = 1;
  let nextCommentId = 1000;
  let baseUrl = '';

  const labelObject = (name: string, i: number): Json => {
    const label = (validator.example('label-items') as JsonObject[])[0];
    return {
      ...label,
      id: 500 + i,
      node_id: `LA_${i}`,
      name,
      url: `${baseUrl}/repos/${owner}/${repo}/labels/${encodeURIComponent(name)}`,
    };
  };

  const pullObject = (
    pull: FakePull,
    exampleName: 'pull-request' | 'pull-request-simple-items',
  ): JsonObject => {
    const example = validator.example(exampleName);
    const base = (Array.isArray(example) ? example[0] : example) as JsonObject;
    const head = base.head as JsonObject;
    const baseRef = base.base as JsonObject;
    return {
      ...base,
      id: 10_000 + pull.number,
      number: pull.number,
      state: pull.state,
      title: pull.title,
      body: pull.body,
      url: `${baseUrl}/repos/${owner}/${repo}/pulls/${pull.number}`,
      html_url: `https://github.example.test/${owner}/${repo}/pull/${pull.number}`,
      labels: pull.labels.map(labelObject),
      // A fresh pull request has no reviewers (and the spec's example team lacks its required `type`).
      requested_reviewers: [],
      requested_teams: [],
      head: { ...head, ref: pull.head, label: `${owner}:${pull.head}` },
      base: { ...baseRef, ref: pull.base, label: `${owner}:${pull.base}` },
    };
  };

  const commentObject = (comment: FakeComment): JsonObject => ({
    ...(validator.example('issue-comment') as JsonObject),
    id: comment.id,
    node_id: `IC_${comment.id}`,
    body: comment.body,
    url: `${baseUrl}/repos/${owner}/${repo}/issues/comments/${comment.id}`,
    html_url: `https://github.example.test/${owner}/${repo}/pull/${comment.issue}#issuecomment-${comment.id}`,
    issue_url: `${baseUrl}/repos/${owner}/${repo}/issues/${comment.issue}`,
  });

  const pullOr404 = (n: string | undefined): FakePull => {
    const pull = pulls.get(Number(n));
    if (pull === undefined)
      throw new HttpReply(404, {
        message: 'Not Found',
        documentation_url: 'https://docs.github.com',
      });
    return pull;
  };

  const handlers: Record<
    string,
    (m: MatchedOperation, q: URLSearchParams, body: JsonObject) => HttpReply
  > = {
    'pulls/list': (_m, q) => {
      const state = q.get('state') ?? 'open';
      const head = q.get('head');
      const base = q.get('base');
      const list = [...pulls.values()].filter(
        (p) =>
          (state === 'all' || p.state === state) &&
          (head === null || `${owner}:${p.head}` === head) &&
          (base === null || p.base === base),
      );
      return new HttpReply(
        200,
        list.map((p) => pullObject(p, 'pull-request-simple-items')),
      );
    },
    'pulls/create': (_m, _q, body) => {
      const pull: FakePull = {
        number: nextNumber++,
        title: text(body.title),
        body: typeof body.body === 'string' ? body.body : '',
        head: text(body.head),
        base: text(body.base),
        state: 'open',
        labels: [],
      };
      if (
        [...pulls.values()].some(
          (p) => p.state === 'open' && p.head === pull.head && p.base === pull.base,
        )
      ) {
        return new HttpReply(422, {
          message: 'Validation Failed',
          documentation_url: 'https://docs.github.com',
          errors: [],
        });
      }
      pulls.set(pull.number, pull);
      return new HttpReply(201, pullObject(pull, 'pull-request'));
    },
    'pulls/update': (m, _q, body) => {
      const pull = pullOr404(m.pathParams.pull_number);
      if (typeof body.title === 'string') pull.title = body.title;
      if (typeof body.body === 'string') pull.body = body.body;
      return new HttpReply(200, pullObject(pull, 'pull-request'));
    },
    'issues/list-comments': (m) => {
      const issue = pullOr404(m.pathParams.issue_number).number;
      return new HttpReply(
        200,
        [...comments.values()].filter((c) => c.issue === issue).map(commentObject),
      );
    },
    'issues/create-comment': (m, _q, body) => {
      const issue = pullOr404(m.pathParams.issue_number).number;
      const comment = { id: nextCommentId++, issue, body: text(body.body) };
      comments.set(comment.id, comment);
      return new HttpReply(201, commentObject(comment));
    },
    'issues/update-comment': (m, _q, body) => {
      const comment = comments.get(Number(m.pathParams.comment_id));
      if (comment === undefined)
        return new HttpReply(422, {
          message: 'Validation Failed',
          documentation_url: 'https://docs.github.com',
        });
      comment.body = text(body.body);
      return new HttpReply(200, commentObject(comment));
    },
    'issues/list-labels-on-issue': (m) => {
      const pull = pullOr404(m.pathParams.issue_number);
      return new HttpReply(200, pull.labels.map(labelObject));
    },
    'issues/add-labels': (m, _q, body) => {
      const pull = pullOr404(m.pathParams.issue_number);
      const names = Array.isArray(body.labels) ? body.labels.map(String) : [];
      for (const name of names) if (!pull.labels.includes(name)) pull.labels.push(name);
      return new HttpReply(200, pull.labels.map(labelObject));
    },
    'issues/remove-label': (m) => {
      const pull = pullOr404(m.pathParams.issue_number);
      const name = m.pathParams.name ?? '';
      // GitHub answers 404 for a label the issue does not carry.
      if (!pull.labels.includes(name))
        throw new HttpReply(404, {
          message: 'Label does not exist',
          documentation_url: 'https://docs.github.com',
        });
      pull.labels = pull.labels.filter((l) => l !== name);
      return new HttpReply(200, pull.labels.map(labelObject));
    },
  };

  const send = (
    res: ServerResponse,
    matched: MatchedOperation | undefined,
    reply: HttpReply,
  ): void => {
    if (matched !== undefined && reply.status < 500)
      violations.push(...validator.validateResponse(matched, reply.status, reply.body));
    res.writeHead(reply.status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(reply.body === undefined ? '' : JSON.stringify(reply.body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    authorizations.push(req.headers.authorization);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const raw = await readBody(req);
    const matched = validator.match(req.method ?? 'GET', url.pathname);
    if (matched === undefined) {
      calls.push(`UNKNOWN ${req.method ?? ''} ${url.pathname}`);
      violations.push(`no operation in the GitHub spec for ${req.method ?? ''} ${url.pathname}`);
      send(res, undefined, new HttpReply(404, { message: 'Not Found' }));
      return;
    }
    const id = matched.operation.operationId;
    calls.push(id);
    let body: JsonObject | undefined;
    try {
      body = raw.length === 0 ? undefined : (JSON.parse(raw.toString('utf8')) as JsonObject);
    } catch {
      violations.push(`${id}: request body is not JSON`);
    }
    violations.push(...validator.validateRequest(matched, url.searchParams, body));
    const handler = handlers[id];
    if (handler === undefined) {
      violations.push(`${id}: not implemented by the fake`);
      send(res, undefined, new HttpReply(501, { message: `${id} not implemented` }));
      return;
    }
    try {
      send(res, matched, handler(matched, url.searchParams, body ?? {}));
    } catch (e) {
      if (e instanceof HttpReply) send(res, matched, e);
      else throw e;
    }
  };

  const server = await listenLocal(handle, violations);
  baseUrl = server.url;
  return {
    url: baseUrl,
    owner,
    repo,
    pulls,
    comments,
    calls,
    violations,
    authorizations,
    close: () => server.close(),
  };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
