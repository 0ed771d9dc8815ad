/**
 * Every code-review platform TARS can open pull requests on, by the name `--platform` takes.
 * Adding one: a folder `platforms/<name>/index.ts` exporting `platform`, and a line here; the
 * conformance test runs every entry through the same idempotence scenario.
 */
import { InputError } from '../../errors.js';
import { platform as github } from './github/index.js';
import { platform as gitlab } from './gitlab/index.js';
import { platform as none } from './none/index.js';
import type {
  PlatformAdapter,
  PlatformDefinition,
  PlatformName,
  PlatformOptions,
} from './types.js';

export const PLATFORMS: Readonly<Record<PlatformName, PlatformDefinition>> = {
  github,
  gitlab,
  none,
};

export function isPlatformName(name: string): name is PlatformName {
  return Object.hasOwn(PLATFORMS, name);
}

export function createPlatform(name: string, options: PlatformOptions): PlatformAdapter {
  if (!isPlatformName(name)) {
    throw new InputError(
      `unknown platform "${name}"; expected one of ${Object.keys(PLATFORMS).join(', ')}`,
    );
  }
  return PLATFORMS[name].create(options);
}
