/**
 * The GitLab fake itself: it accepts what GitLab's API description allows, rejects what it does
 * not, paginates as GitLab does (so @gitbeaker follows its links), and says when a valid
 * parameter is one it does not simulate.
 */
import { Gitlab } from '@gitbeaker/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type FakeGitLab, startFakeGitLab } from './fake-gitlab.js';

const TOKEN = 'fake-gitlab-token';

let fake: FakeGitLab;
let api: string;

beforeEach(async () => {
  fake = await startFakeGitLab({ projectPath: 'g/p' });
  api = `${fake.url}/api/v4/projects/${encodeURIComponent('g/p')}`;
});
afterEach(async () => fake.close());

const send = (method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(`${api}${path}`, {
    method,
    headers: { 'private-token': TOKEN, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

async function createMergeRequests(count: number): Promise<void> {
  for (let i = 1; i <= count; i += 1) {
    const res = await send('POST', '/merge_requests', {
      source_branch: `topic-${i}`,
      target_branch: 'main',
      title: `change ${i}`,
      labels: i % 2 === 0 ? 'even,tars' : ['odd'],
    });
    expect(res.status).toBe(201);
  }
}

describe('fake GitLab', () => {
  it('paginates with GitLab headers and links that @gitbeaker follows', async () => {
    await createMergeRequests(25);
    const page2 = await send('GET', '/merge_requests?state=opened&per_page=10&page=2');
    expect(page2.headers.get('x-total')).toBe('25');
    expect(page2.headers.get('x-total-pages')).toBe('3');
    expect(page2.headers.get('x-next-page')).toBe('3');
    expect(page2.headers.get('x-prev-page')).toBe('1');
    expect(page2.headers.get('link')).toMatch(/[?&]page=3[^>]*>; rel="next"/);
    expect(((await page2.json()) as unknown[]).length).toBe(10);
    const capped = await send('GET', '/merge_requests?per_page=500');
    expect(capped.headers.get('x-per-page')).toBe('100');

    const client = new Gitlab({ host: fake.url, token: TOKEN });
    const all = await client.MergeRequests.all({ projectId: 'g/p', state: 'opened' });
    expect(all).toHaveLength(25);
    expect(fake.calls.filter((c) => c === 'list-merge-requests').length).toBe(2 + 2);
    expect(fake.violations).toEqual([]);
  });

  it('reads array parameters in both GitLab forms and filters on them', async () => {
    await createMergeRequests(4);
    const byIid = await send('GET', '/merge_requests?iids[]=1&iids[]=3&sort=asc');
    expect(((await byIid.json()) as { iid: number }[]).map((m) => m.iid)).toEqual([1, 3]);
    const byLabels = await send('GET', '/merge_requests?labels=even,tars');
    expect(((await byLabels.json()) as { iid: number }[]).map((m) => m.iid)).toEqual([4, 2]);
    const simple = await send('GET', '/merge_requests?view=simple&per_page=1');
    expect(Object.keys(((await simple.json()) as object[])[0] ?? {})).not.toContain('labels');
    expect(fake.violations).toEqual([]);
  });

  it('applies label lists and state changes on update', async () => {
    await createMergeRequests(1);
    await send('PUT', '/merge_requests/1', { add_labels: ['x', 'y'], remove_labels: 'odd' });
    expect(fake.mergeRequests.get(1)?.labels).toEqual(['x', 'y']);
    const closed = await send('PUT', '/merge_requests/1', { state_event: 'close' });
    expect(await closed.json()).toMatchObject({
      state: 'closed',
      detailed_merge_status: 'not_open',
    });
    expect(fake.violations).toEqual([]);
  });

  it('answers 400 and records a violation for what the description does not allow', async () => {
    await createMergeRequests(1);
    expect((await send('PUT', '/merge_requests/1', {})).status).toBe(400);
    expect((await send('GET', '/merge_requests?per_page=ten')).status).toBe(400);
    expect((await send('POST', '/merge_requests/1/notes', { body: '' })).status).toBe(400);
    // An attribute name GitLab does not have (it is `merge_request_diff_head_sha`).
    await send('POST', '/merge_requests/1/notes', { body: 'x', merge_request_diff_sha: 'a' });
    expect((await send('DELETE', '/merge_requests/1')).status).toBe(405);
    expect(fake.violations).toEqual([
      expect.stringContaining('update-merge-request body must NOT have fewer than 1 properties'),
      expect.stringContaining('list-merge-requests query/per_page must be integer'),
      expect.stringContaining('create-note body/body must NOT have fewer than 1 characters'),
      expect.stringContaining('create-note body must NOT have additional properties'),
      'DELETE /api/v4/projects/g%2Fp/merge_requests/1: method not served by this fake',
    ]);
  });

  it('flags valid parameters it does not simulate', async () => {
    await createMergeRequests(1);
    await send('GET', '/merge_requests?milestone=v1&order_by=popularity');
    await send('PUT', '/merge_requests/1', { reviewer_ids: [3] });
    await send('POST', '/merge_requests/1/notes', { body: 'x', merge_request_diff_head_sha: 'a' });
    expect(fake.violations).toEqual([
      'list-merge-requests: milestone is valid per the spec but not simulated by this fake',
      'list-merge-requests: order_by=popularity is valid per the spec but not simulated by this fake',
      'update-merge-request: reviewer_ids is valid per the spec but not simulated by this fake',
      'create-note: merge_request_diff_head_sha is valid per the spec but not simulated by this fake',
    ]);
  });

  it('takes the token from the header or the private_token query parameter', async () => {
    await fetch(`${api}/merge_requests?private_token=${TOKEN}`);
    expect(fake.tokens).toEqual([TOKEN]);
    expect(fake.violations).toEqual([]);
  });
});
