/** Options shared by every command that reads a cluster: the input options of `tars plan`. */
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { Option } from 'commander';
import { errorMessage, InputError } from '../errors.js';
import { parseDuration } from '../plan/duration.js';
import type { PrometheusAuth } from '../metrics/prometheus/client.js';
import type { PlanInputOptions } from '../plan/plan.js';

export const DEFAULT_POLICY_DIR = 'policies';

/**
 * `--policies`, or `./policies` when it exists (as linters find their config), or none: the
 * built-in policy. A directory named explicitly must exist.
 */
function policiesOption(given: string | undefined): { policies?: string } {
  if (given !== undefined) return { policies: given };
  return existsSync(DEFAULT_POLICY_DIR) ? { policies: DEFAULT_POLICY_DIR } : {};
}

export interface InputOptions extends PrometheusAuthOptions {
  readonly kubeconfig?: string;
  readonly context?: string;
  readonly snapshot?: string;
  readonly prometheus?: string;
  readonly policies?: string;
  readonly history: string;
  readonly quiet?: boolean;
}

/** How TARS authenticates to Prometheus (Thanos, Mimir): the same for every command. */
export interface PrometheusAuthOptions {
  readonly prometheusTokenFile?: string;
  /** `--prometheus-header`, already validated, by name as given. */
  readonly prometheusHeader?: Readonly<Record<string, string>>;
}

/** The environment variable holding a bearer token, when no `--prometheus-token-file` is given. */
export const PROMETHEUS_TOKEN_ENV = 'TARS_PROMETHEUS_TOKEN';

/** RFC 9110 field name: a token of visible characters other than delimiters. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Field value: visible ASCII, spaces, tabs, obs-text bytes; no CR, LF or other control character. */
const HEADER_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;
/** Set by the client itself: a header of these names would be overwritten or break the request. */
const RESERVED_HEADERS = new Set(['accept', 'content-type', 'content-length', 'host']);

/**
 * Commander's parser for one `--prometheus-header "Name: value"`, collecting them by name.
 * Messages name the flag and the header name, never the value (it may be a credential).
 */
export function parsePrometheusHeader(
  raw: string,
  previous: Readonly<Record<string, string>> | undefined,
): Readonly<Record<string, string>> {
  const usage = 'expected "Name: value", e.g. --prometheus-header "X-Scope-OrgID: tenant-1"';
  const colon = raw.indexOf(':');
  if (colon < 0) throw new InputError(`--prometheus-header: no ":" in a header: ${usage}`);
  const name = raw.slice(0, colon).trim();
  const value = raw.slice(colon + 1).trim();
  if (name === '') throw new InputError(`--prometheus-header: a header has no name: ${usage}`);
  if (!HEADER_NAME.test(name)) {
    throw new InputError(
      `--prometheus-header: ${JSON.stringify(name)} is not a valid header name: ${usage}`,
    );
  }
  if (value === '')
    throw new InputError(`--prometheus-header: header ${name} has no value: ${usage}`);
  if (!HEADER_VALUE.test(value)) {
    throw new InputError(
      `--prometheus-header: the value of header ${name} has a line break or control character`,
    );
  }
  if (RESERVED_HEADERS.has(name.toLowerCase())) {
    throw new InputError(`--prometheus-header: ${name} is set by TARS itself and cannot be given`);
  }
  const existing = Object.keys(previous ?? {}).find((n) => n.toLowerCase() === name.toLowerCase());
  if (existing !== undefined) {
    throw new InputError(`--prometheus-header: header ${name} is given twice`);
  }
  return { ...previous, [name]: value };
}

/** `--prometheus-token-file` and `--prometheus-header`, for every command that reads Prometheus. */
export function addPrometheusAuthOptions(cmd: Command): Command {
  return cmd
    .option(
      '--prometheus-token-file <file>',
      `file holding the bearer token for --prometheus, e.g. a mounted Secret (default: $${PROMETHEUS_TOKEN_ENV})`,
    )
    .option(
      '--prometheus-header <name: value>',
      'HTTP header sent to --prometheus, e.g. "X-Scope-OrgID: tenant-1" for Mimir (repeatable)',
      parsePrometheusHeader,
    );
}

/**
 * The token (from `--prometheus-token-file`, else `$TARS_PROMETHEUS_TOKEN`) and headers. The
 * file is read now, so a rotated Secret is picked up by the next run (or `tars run` pass).
 */
export function prometheusAuth(options: PrometheusAuthOptions): PrometheusAuth {
  let token: string | undefined;
  if (options.prometheusTokenFile !== undefined) {
    const file = options.prometheusTokenFile;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new InputError(
        `--prometheus-token-file: cannot read ${file} (${code ?? errorMessage(e)})`,
      );
    }
    token = text.trim();
    if (token === '') throw new InputError(`--prometheus-token-file: ${file} is empty`);
    if (/[\r\n]/.test(token)) {
      throw new InputError(`--prometheus-token-file: ${file} holds more than one line`);
    }
  } else {
    const fromEnv = process.env[PROMETHEUS_TOKEN_ENV]?.trim();
    if (fromEnv !== undefined && fromEnv !== '') token = fromEnv;
  }
  const headers = options.prometheusHeader;
  const authorization = Object.keys(headers ?? {}).some((n) => n.toLowerCase() === 'authorization');
  if (token !== undefined && authorization) {
    const from =
      options.prometheusTokenFile !== undefined
        ? '--prometheus-token-file'
        : `$${PROMETHEUS_TOKEN_ENV}`;
    throw new InputError(
      `--prometheus-header: an Authorization header and a bearer token (${from}) cannot both be given`,
    );
  }
  return {
    ...(token !== undefined ? { bearerToken: token } : {}),
    ...(headers !== undefined && Object.keys(headers).length > 0 ? { headers } : {}),
  };
}

export function addInputOptions(cmd: Command): Command {
  cmd
    .addOption(
      new Option(
        '--kubeconfig <file>',
        'kubeconfig of the live cluster (default: $KUBECONFIG, ~/.kube/config, or in-cluster)',
      ).conflicts('snapshot'),
    )
    .addOption(new Option('--context <name>', 'kubeconfig context to use').conflicts('snapshot'))
    .option('--snapshot <dir>', 'read a snapshot directory instead of a live cluster')
    .option('--prometheus <url>', 'Prometheus (or Thanos/Mimir) base URL for usage history');
  return addPrometheusAuthOptions(cmd)
    .option(
      '--policies <dir>',
      `directory of policy files (default: ./${DEFAULT_POLICY_DIR} when it exists, else the built-in policy)`,
    )
    .option('--history <duration>', 'usage history window to read from Prometheus', '14d')
    .option('-q, --quiet', 'no progress output on stderr');
}

export function planInputs(options: InputOptions): PlanInputOptions {
  return {
    ...(options.kubeconfig !== undefined ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context !== undefined ? { context: options.context } : {}),
    ...(options.snapshot !== undefined ? { snapshot: options.snapshot } : {}),
    ...(options.prometheus !== undefined ? { prometheus: options.prometheus } : {}),
    prometheusAuth: prometheusAuth(options),
    ...policiesOption(options.policies),
    historySeconds: parseDuration(options.history, '--history'),
  };
}

export function outputOption(): Option {
  return new Option('-o, --output <format>', 'how to print data')
    .choices(['table', 'json', 'yaml'])
    .default('table');
}
