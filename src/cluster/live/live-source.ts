import type { KubeConfig } from '@kubernetes/client-node';
import pLimit from 'p-limit';

import { SourceUnreachableError } from '../../errors.js';
import { READ_KINDS, apiVersionOf } from '../kinds.js';
import type { KindInfo } from '../kinds.js';
import { OPTIONAL_API_GROUPS } from '../types.js';
import type { ClusterSnapshot, ClusterSource, KubeObject, SkippedKind } from '../types.js';
import { ApiStatusError, KubeHttpClient, TransportError } from './http.js';
import { clusterNameOf, loadKubeConfig } from './kubeconfig.js';
import type { KubeConfigOptions } from './kubeconfig.js';
import { DEFAULT_RETRY_POLICY } from './retry.js';
import type { RetryPolicy } from './retry.js';

export interface LiveSourceOptions extends KubeConfigOptions {
  /** Items per list page (`limit`). */
  readonly pageSize?: number;
  /** Lists in flight at once. */
  readonly concurrency?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly requestTimeoutMs?: number;
  /** Kinds to read; READ_KINDS by default. Secrets are refused whatever is passed. */
  readonly kinds?: readonly KindInfo[];
}

interface ListPage {
  items?: Record<string, unknown>[];
  metadata?: { continue?: string };
}

interface ApiGroupList {
  groups?: { name?: string }[];
}

/** How often an expired continue token may restart one list before the kind is given up. */
const MAX_RELISTS = 3;

type KindResult = { objects: KubeObject[] } | { skipped: SkippedKind };

/** Reads a live cluster through the Kubernetes API, read-only, every list paginated. */
export class LiveClusterSource implements ClusterSource {
  private constructor(
    private readonly kc: KubeConfig,
    private readonly options: Required<
      Pick<LiveSourceOptions, 'pageSize' | 'concurrency' | 'requestTimeoutMs' | 'kinds'>
    > & { retry: RetryPolicy },
  ) {}

  /** From a kubeconfig file and context, $KUBECONFIG, ~/.kube/config, or in-cluster. */
  static fromConfig(options: LiveSourceOptions = {}): LiveClusterSource {
    const kc = loadKubeConfig(options);
    const kinds = (options.kinds ?? READ_KINDS).filter((k) => k.kind !== 'Secret');
    return new LiveClusterSource(kc, {
      pageSize: options.pageSize ?? 500,
      concurrency: options.concurrency ?? 4,
      requestTimeoutMs: options.requestTimeoutMs ?? 30_000,
      retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
      kinds,
    });
  }

  get clusterName(): string {
    return clusterNameOf(this.kc);
  }

  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? 'unknown';
  }

  describe(): string {
    return `cluster "${this.clusterName}" at ${this.server}`;
  }

  async read(progress: (message: string) => void = () => {}): Promise<ClusterSnapshot> {
    const client = new KubeHttpClient(this.kc, {
      retry: this.options.retry,
      requestTimeoutMs: this.options.requestTimeoutMs,
      maxSockets: this.options.concurrency,
    });
    try {
      progress(`discovering APIs of ${this.describe()}`);
      const apiGroups = await this.guard(() => discoverOptionalGroups(client));
      const limit = pLimit(this.options.concurrency);
      const served = new ServedResources(client);
      const results = await Promise.all(
        this.options.kinds.map((info) =>
          limit(() =>
            this.guard(async () =>
              (await served.has(info))
                ? this.readKind(client, info, progress)
                : notServed(info, progress),
            ),
          ),
        ),
      );
      const objects: KubeObject[] = [];
      const skipped: SkippedKind[] = [];
      for (const result of results) {
        if ('skipped' in result) skipped.push(result.skipped);
        else objects.push(...result.objects);
      }
      progress(
        `read ${objects.length} objects of ${results.length - skipped.length} kinds` +
          (skipped.length > 0 ? `, skipped ${skipped.map((s) => s.kind).join(', ')}` : ''),
      );
      return { clusterName: this.clusterName, source: 'live', objects, apiGroups, skipped };
    } finally {
      client.close();
    }
  }

  private async readKind(
    client: KubeHttpClient,
    info: KindInfo,
    progress: (message: string) => void,
  ): Promise<KindResult> {
    try {
      const objects = await listAll(client, info, this.options.pageSize, progress);
      progress(`listed ${objects.length} ${info.plural}`);
      return { objects };
    } catch (e) {
      if (!(e instanceof ApiStatusError)) throw e;
      const skipped = skippedKind(info, e);
      progress(`skipped ${info.plural}: ${skipped.reason} (${e.reason})`);
      return { skipped };
    }
  }

  /** Turns what means "cannot talk to this cluster" into the error the CLI maps to exit 3. */
  private async guard<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (e instanceof TransportError) {
        throw new SourceUnreachableError(`cluster ${this.server}`, e.reason, { cause: e });
      }
      if (e instanceof ApiStatusError && e.status === 401) {
        throw new SourceUnreachableError(
          `cluster ${this.server}`,
          `the credentials were refused (401 ${e.reason})`,
          { cause: e },
        );
      }
      // A list that fails is its kind skipped (readKind); one reaching here is discovery, which
      // every identity may read: the server failing it after the retries (503 while overloaded,
      // 500) is the cluster not answering, not a bug.
      if (e instanceof ApiStatusError) {
        throw new SourceUnreachableError(`cluster ${this.server}`, e.message, { cause: e });
      }
      throw e;
    }
  }
}

function notServed(info: KindInfo, progress: (message: string) => void): KindResult {
  progress(`skipped ${info.plural}: not served`);
  return {
    skipped: {
      kind: info.kind,
      reason: 'not-served',
      message: `${resourceName(info)} is not served`,
    },
  };
}

function resourceName(info: KindInfo): string {
  return `${info.plural}${info.group ? '.' + info.group : ''}`;
}

/**
 * Which resources each group-version serves, from discovery (readable by every authenticated
 * identity). Asked before listing because for a resource that does not exist, RBAC answers 403
 * before the server could say 404: without discovery, "not served" would look like "forbidden".
 */
class ServedResources {
  /** undefined: discovery did not say (e.g. 403 on discovery); the list itself will tell. */
  private readonly byGroupVersion = new Map<string, Promise<Set<string> | undefined>>();

  constructor(private readonly client: KubeHttpClient) {}

  async has(info: KindInfo): Promise<boolean> {
    const groupVersion = apiVersionOf(info);
    let resources = this.byGroupVersion.get(groupVersion);
    if (resources === undefined) {
      resources = this.fetch(info);
      this.byGroupVersion.set(groupVersion, resources);
    }
    return (await resources)?.has(info.plural) ?? true;
  }

  private async fetch(info: KindInfo): Promise<Set<string> | undefined> {
    const path = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
    try {
      const list = (await this.client.getJson(path)) as { resources?: { name?: string }[] };
      return new Set((list.resources ?? []).map((r) => r.name ?? ''));
    } catch (e) {
      if (e instanceof ApiStatusError) return e.status === 404 ? new Set() : undefined;
      throw e;
    }
  }
}

function skippedKind(info: KindInfo, e: ApiStatusError): SkippedKind {
  const what = resourceName(info);
  if (e.status === 403) {
    return { kind: info.kind, reason: 'forbidden', message: `may not list ${what}: ${e.reason}` };
  }
  if (e.status === 404) {
    return { kind: info.kind, reason: 'not-served', message: `${what} is not served` };
  }
  return { kind: info.kind, reason: 'error', message: `listing ${what} failed: ${e.message}` };
}

function listPath(info: KindInfo): string {
  return info.group === ''
    ? `/api/${info.version}/${info.plural}`
    : `/apis/${info.group}/${info.version}/${info.plural}`;
}

/**
 * Every object of one kind, page by page. An expired continue token (410 Gone: the pages would
 * no longer be one consistent snapshot) restarts the list from the first page.
 */
export async function listAll(
  client: KubeHttpClient,
  info: KindInfo,
  pageSize: number,
  progress: (message: string) => void = () => {},
): Promise<KubeObject[]> {
  const path = listPath(info);
  for (let relist = 0; ; relist++) {
    const objects: KubeObject[] = [];
    let token: string | undefined;
    try {
      do {
        const page = (await client.getJson(path, {
          limit: String(pageSize),
          continue: token,
        })) as ListPage;
        for (const item of page.items ?? []) objects.push(asKubeObject(info, item));
        token = page.metadata?.continue || undefined;
      } while (token !== undefined);
      return objects;
    } catch (e) {
      const expired = e instanceof ApiStatusError && e.status === 410 && token !== undefined;
      if (!expired || relist + 1 >= MAX_RELISTS) throw e;
      progress(`continue token for ${info.plural} expired; listing again from the start`);
    }
  }
}

/** List items come without apiVersion and kind; set them as `kubectl get -o json` prints them. */
function asKubeObject(info: KindInfo, item: Record<string, unknown>): KubeObject {
  return { apiVersion: apiVersionOf(info), kind: info.kind, ...item } as KubeObject;
}

async function discoverOptionalGroups(client: KubeHttpClient): Promise<string[]> {
  const list = (await client.getJson('/apis')) as ApiGroupList;
  const served = new Set((list.groups ?? []).map((g) => g.name));
  return OPTIONAL_API_GROUPS.filter((g) => served.has(g));
}
