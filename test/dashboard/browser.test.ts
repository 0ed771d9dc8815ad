/**
 * The dashboard in a real browser (Debian's chromium, driven by playwright-core): the tables
 * render the model, the workload filter narrows the table as one types (and, without
 * JavaScript, through the form), and the page raises no console error and no CSP violation.
 * TARS_SKIP_BROWSER=1 skips it; otherwise a missing chromium fails it (CI installs chromium).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesiredState } from '../../src/model/types.js';
import {
  exampleWithArgoApplication,
  exampleWithMarkup,
  MARKUP,
  startServe,
  type Served,
} from './serve-process.js';

const CHROMIUM = '/usr/bin/chromium';
const skip = process.env.TARS_SKIP_BROWSER === '1';
if (skip) console.warn('TARS_SKIP_BROWSER=1: skipping the dashboard browser test');

describe.skipIf(skip)('the dashboard in chromium', () => {
  let browser: Browser;
  let served: Served;
  let model: DesiredState;

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(
        `${CHROMIUM} is missing: install Debian's chromium (.ci/run does), or set TARS_SKIP_BROWSER=1`,
      );
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    served = await startServe(['--snapshot', exampleWithMarkup(), '--quiet']);
    model = (await (await fetch(new URL('/api/model', served.url))).json()) as DesiredState;
  });
  afterAll(async () => {
    await browser?.close();
  });

  /** A page of a fresh context that records console errors, page errors and CSP violations. */
  async function open(javaScriptEnabled: boolean): Promise<{ page: Page; problems: string[] }> {
    const context = await browser.newContext({ javaScriptEnabled });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()}`));
    // A string: this project type-checks for Node, without the DOM's types.
    await page.addInitScript(`
      document.addEventListener('securitypolicyviolation', (e) => {
        (window.cspViolations ??= []).push(e.violatedDirective + ' ' + e.blockedURI);
      });
    `);
    return { page, problems };
  }

  async function visibleWorkloads(page: Page): Promise<string[]> {
    const rows = await page.locator('tr.workload:visible').all();
    return Promise.all(rows.map(async (r) => (await r.getAttribute('data-workload')) ?? ''));
  }

  it('renders the model, narrows the workloads as one types, without errors or CSP violations', async () => {
    const { page, problems } = await open(true);
    const response = await page.goto(served.url);
    expect(response?.status()).toBe(200);

    await expect.poll(() => page.locator('h1').textContent()).toBe(model.cluster.name);
    const all = model.workloads.map((w) => `${w.ref.namespace}/${w.ref.name}`);
    expect((await visibleWorkloads(page)).sort()).toEqual([...all].sort());
    // The markup from the cluster is text on the page, not elements, and ran nothing.
    expect(await page.locator('#workloads').textContent()).toContain(MARKUP);
    expect(await page.evaluate('window.__tarsInjected')).toBe(undefined);
    const cost = (await page.locator('#cost').textContent()) ?? '';
    expect(cost).toContain(`${model.cost!.today.total.toFixed(2)} ${model.cost!.currency}`);
    expect(await page.locator('#changes tr.change').count()).toBe(model.changes.length);
    expect(await page.locator('#findings tr.finding').count()).toBe(model.findings.length);

    await page.locator('#workload-filter').fill('cart');
    const narrowed = all.filter((n) => n.includes('cart'));
    expect(narrowed.length).toBeGreaterThan(0);
    expect(narrowed.length).toBeLessThan(all.length);
    await expect.poll(() => visibleWorkloads(page)).toEqual(narrowed);
    expect(await page.locator('#workload-count').textContent()).toBe(
      `${narrowed.length} of ${all.length} workloads`,
    );
    await page.locator('#workload-filter').fill('');
    await expect.poll(async () => (await visibleWorkloads(page)).length).toBe(all.length);

    expect(await page.evaluate('window.cspViolations')).toBe(undefined);
    expect(problems).toEqual([]);
  });

  it('wraps a long name without spaces inside the page instead of widening it', async () => {
    // An annotation value (here the Argo CD application) has no length limit and need not break.
    const long = await startServe([
      '--snapshot',
      exampleWithArgoApplication(`app.${'segment'.repeat(40)}.example`),
      '--quiet',
    ]);
    try {
      const { page, problems } = await open(true);
      await page.setViewportSize({ width: 1024, height: 768 });
      await page.goto(long.url);
      const widths = await page.evaluate<[number, number]>(
        '[document.documentElement.scrollWidth, document.documentElement.clientWidth]',
      );
      expect(widths[0]).toBeLessThanOrEqual(widths[1]);
      expect(problems).toEqual([]);
    } finally {
      long.child.kill('SIGTERM');
      await long.exited;
    }
  });

  it('filters through the form when JavaScript is off', async () => {
    const { page, problems } = await open(false);
    await page.goto(served.url);
    await page.locator('#workload-filter').fill('cart');
    await Promise.all([
      page.waitForURL(/workload=cart/),
      page.locator('#workload-filter').press('Enter'),
    ]);
    const narrowed = model.workloads
      .map((w) => `${w.ref.namespace}/${w.ref.name}`)
      .filter((n) => n.includes('cart'));
    expect(await visibleWorkloads(page)).toEqual(narrowed);
    expect(problems).toEqual([]);
  });
});
