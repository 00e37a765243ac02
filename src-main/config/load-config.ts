import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { formatPath } from '../contract/commands.js';
import { configSchema, type LineDeskConfig } from './schema.js';

/** A configuration problem, with the path of the offending field ("lines[1].aor"). */
export class ConfigError extends Error {
  constructor(
    message: string,
    readonly issues: { path: string; message: string }[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Validates an already-parsed config object. Throws ConfigError naming every bad field. */
export function parseConfig(raw: unknown): LineDeskConfig {
  const result = configSchema.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.map((i: z.core.$ZodIssue) => ({ path: formatPath(i.path), message: describe(i) }));
  throw new ConfigError(`invalid configuration:\n${issues.map((i) => `  ${i.path}: ${i.message}`).join('\n')}`, issues);
}

/** Reads, parses and validates a JSON config file. Relative file paths inside are resolved against its folder. */
export function loadConfigFile(file: string): { config: LineDeskConfig; baseDir: string } {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`config file ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { config: parseConfig(raw), baseDir: dirname(resolve(file)) };
}

function describe(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_type' && issue.input === undefined) return 'is required';
  return issue.message;
}
