/**
 * Wraps an adapter so that every failure leaves it as a ForwardedError whose message and cause
 * carry no secret. Platform clients keep the request in their errors (@gitbeaker keeps the
 * fetch Request, headers and token included); printing such an error with its cause chain would
 * print the token.
 */
import { ForwardedError } from '../../errors.js';
import type { Redactor } from '../redact.js';
import type { PlatformAdapter } from './types.js';

const wrapped = new WeakSet<PlatformAdapter>();

export function withRedaction(platform: PlatformAdapter, redactor: Redactor): PlatformAdapter {
  if (wrapped.has(platform)) return platform;
  const guard = async <T>(verb: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (e) {
      throw new ForwardedError(`${platform.name}: ${verb} failed`, redactor.sanitize(e));
    }
  };
  const safe: PlatformAdapter = {
    name: platform.name,
    findPullRequest: (head, base) =>
      guard(`finding the pull request for ${head}`, () => platform.findPullRequest(head, base)),
    ensurePullRequest: (spec) =>
      guard(`opening the pull request for ${spec.head}`, () => platform.ensurePullRequest(spec)),
    ensureComment: (prNumber, body, marker) =>
      guard(`commenting on #${prNumber}`, () => platform.ensureComment(prNumber, body, marker)),
    ensureLabels: (prNumber, labels) =>
      guard(`labelling #${prNumber}`, () => platform.ensureLabels(prNumber, labels)),
    removeLabels: (prNumber, labels) =>
      guard(`unlabelling #${prNumber}`, () => platform.removeLabels(prNumber, labels)),
  };
  wrapped.add(safe);
  return safe;
}
