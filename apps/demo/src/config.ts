// The demo's configuration, read the way a Feathers app reads its own (node-config's conventions):
// config/default.json, then config/<NODE_ENV>.json when present, then the JSON in NODE_CONFIG, then the
// environment variables named in config/custom-environment-variables.json. Secrets never live here: the
// KEK comes from AUTH_KEK or data/kek (see kek.ts).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
// The demo is a sibling of the packages, so it shares their option checks (an application outside this
// repository would import from `@org/core` only).
import { assertKnownOptions, configError, parseRecordJson } from '@org/core/internal';

/** Where the demo's own files live: `config/`, `public/`, and `data/` by default. */
export const DEMO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The demo's settings, in Feathers' shape: server settings at the top, `authentication` beside them. */
export interface DemoConfig {
  /** The interface to listen on. */
  host: string;
  /** The port to listen on (`0` picks a free one). */
  port: number;
  /** The URL clients use (issuer, `jwks_uri`); `http://<host>:<port>` when null. */
  publicUrl: string | null;
  /** The folder of the SQLite file and the generated KEK, relative to the demo folder. */
  dataDir: string;
  /** A Postgres URL (`DATABASE_URL`): users and messages, and the shared stores when `redis` is null. */
  postgres: string | null;
  /** A Redis URL (`REDIS_URL`): the key ring, the denylist and the rate-limit counters. */
  redis: string | null;
  /** The `authentication` section, given to `AuthenticationService` (its `keyRing` holds ring settings). */
  authentication: Record<string, unknown>;
}

const TOP_LEVEL = ['host', 'port', 'publicUrl', 'dataDir', 'postgres', 'redis', 'authentication'];

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function deepMerge(target: Json, source: Json): Json {
  const out: Json = { ...target };
  for (const [key, value] of Object.entries(source)) {
    out[key] = isObject(value) && isObject(out[key]) ? deepMerge(out[key] as Json, value) : value;
  }
  return out;
}

function parseObject(text: string, label: string): Json {
  let parsed: unknown;
  try {
    parsed = parseRecordJson(text);
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed)) throw configError(`${label} is not a JSON object`);
  return parsed;
}

const readJson = (file: string, label: string): Json => parseObject(readFileSync(file, 'utf8'), label);

// node-config's format: `"port": "PORT"` or `"port": { "__name": "PORT", "__format": "number" }`.
function fromEnvironment(mapping: Json, env: NodeJS.ProcessEnv, path: string[] = []): Json {
  const out: Json = {};
  for (const [key, spec] of Object.entries(mapping)) {
    const name = typeof spec === 'string' ? spec : isObject(spec) ? spec.__name : undefined;
    if (typeof name !== 'string') {
      if (isObject(spec)) {
        const nested = fromEnvironment(spec, env, [...path, key]);
        if (Object.keys(nested).length > 0) out[key] = nested;
      }
      continue;
    }
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    out[key] = isObject(spec) && spec.__format === 'number' ? parseNumber(raw, name) : raw;
  }
  return out;
}

function parseNumber(raw: string, name: string): number {
  if (!/^\d{1,10}$/.test(raw)) throw configError(`${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

function check(config: Json): DemoConfig {
  assertKnownOptions(config, TOP_LEVEL, 'config/default.json');
  const { host, port, publicUrl, dataDir, postgres, redis, authentication } = config;
  if (typeof host !== 'string' || host === '') throw configError('host must be a non-empty string');
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw configError('port must be a whole number from 0 to 65535');
  }
  for (const [name, value] of Object.entries({ publicUrl, postgres, redis })) {
    if (value !== null && (typeof value !== 'string' || !URL.canParse(value))) {
      throw configError(`${name} must be a URL or null`);
    }
  }
  if (typeof dataDir !== 'string' || dataDir === '') throw configError('dataDir must be a folder name');
  if (!isObject(authentication)) throw configError('authentication must be an object');
  return config as unknown as DemoConfig;
}

/**
 * Reads the configuration from `<root>/config` and the environment.
 *
 * @param env - The environment (`process.env`).
 * @param root - The demo folder holding `config/`.
 * @returns The checked configuration.
 * @throws BadRequest `invalid-configuration` for an unknown key, a bad value or a file that is not JSON.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, root = DEMO_ROOT): DemoConfig {
  const dir = join(root, 'config');
  let config = readJson(join(dir, 'default.json'), 'config/default.json');
  const environment = env.NODE_ENV;
  if (environment && /^[\w-]+$/.test(environment) && existsSync(join(dir, `${environment}.json`))) {
    config = deepMerge(config, readJson(join(dir, `${environment}.json`), `config/${environment}.json`));
  }
  if (env.NODE_CONFIG) config = deepMerge(config, parseObject(env.NODE_CONFIG, 'NODE_CONFIG'));
  const mappingFile = join(dir, 'custom-environment-variables.json');
  if (existsSync(mappingFile)) {
    config = deepMerge(
      config,
      fromEnvironment(readJson(mappingFile, 'config/custom-environment-variables.json'), env),
    );
  }
  return check(config);
}

/**
 * The URL clients reach the server at: `publicUrl`, or `http://<host>:<port>` (an IPv6 host in brackets).
 *
 * @param config - The configuration.
 * @param port - The port actually bound (when `config.port` is 0).
 * @returns The URL without a trailing slash.
 */
export function publicUrlOf(config: DemoConfig, port = config.port): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return `http://${host}:${port}`;
}
