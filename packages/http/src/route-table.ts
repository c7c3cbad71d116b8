import { configError } from '@org/core/internal';
import type { HttpMethod } from './http-request.ts';
import type { HttpRoute } from './http-route.ts';

const METHODS: readonly HttpMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;
const LITERAL = /^[A-Za-z0-9\-._~!$&'()*+,;=@%]+$/;

/** The routes of one path pattern, by method. */
export interface RouteEntry {
  /** The pattern, as declared. */
  readonly path: string;
  /** Literal segments as strings, parameters as `{ param }`. */
  readonly segments: ReadonlyArray<string | { param: string }>;
  /** The route for each method it answers. */
  readonly methods: ReadonlyMap<string, HttpRoute>;
  /** The `Allow` header value: its methods, with HEAD for GET and OPTIONS, in a fixed order. */
  readonly allow: string;
}

function compileSegments(path: string): Array<string | { param: string }> {
  if (typeof path !== 'string' || !path.startsWith('/') || (path.length > 1 && path.endsWith('/'))) {
    throw configError(`Route path "${String(path)}" must start with "/" and not end with one`);
  }
  if (path === '/') return [];
  const names = new Set<string>();
  return path
    .slice(1)
    .split('/')
    .map((segment) => {
      const param = PARAM.exec(segment)?.[1];
      if (param !== undefined) {
        if (names.has(param)) throw configError(`Route path "${path}" repeats the parameter :${param}`);
        names.add(param);
        return { param };
      }
      if (!LITERAL.test(segment))
        throw configError(`Route path "${path}" has an invalid segment "${segment}"`);
      return segment;
    });
}

function methodsOf(route: HttpRoute): readonly HttpMethod[] {
  const methods = typeof route.method === 'string' ? [route.method] : route.method;
  if (!Array.isArray(methods) || methods.length === 0 || methods.some((m) => !METHODS.includes(m))) {
    throw configError(`Route ${route.path}: method must be one or more of ${METHODS.join(', ')}`);
  }
  return methods;
}

/**
 * Groups routes by path pattern, validating them: a bad pattern or method, a missing handler, or two
 * routes for one method and path fail here, at construction.
 *
 * @param routes - The routes, built-in ones first.
 * @returns One entry per path pattern, in declaration order.
 * @throws BadRequest `invalid-configuration`.
 */
export function compileRoutes(routes: readonly HttpRoute[]): RouteEntry[] {
  const entries = new Map<
    string,
    { path: string; segments: Array<string | { param: string }>; methods: Map<string, HttpRoute> }
  >();
  for (const route of routes) {
    if (route === null || typeof route !== 'object' || typeof route.handler !== 'function') {
      throw configError('A route needs { method, path, handler(request) }');
    }
    const segments = compileSegments(route.path);
    const key = segments.map((s) => (typeof s === 'string' ? s : ':')).join('/');
    const entry = entries.get(key) ?? { path: route.path, segments, methods: new Map<string, HttpRoute>() };
    if (entry.path !== route.path) throw configError(`Route ${route.path} shadows ${entry.path}`);
    entries.set(key, entry);
    for (const method of methodsOf(route)) {
      if (entry.methods.has(method)) throw configError(`Two routes answer ${method} ${route.path}`);
      entry.methods.set(method, route);
    }
  }
  // As Fastify's router does: at the first segment where two patterns differ, a literal wins.
  const specificity = (a: RouteEntry['segments'], b: RouteEntry['segments']) => {
    for (let i = 0; i < Math.min(a.length, b.length); i++) {
      const literalA = typeof a[i] === 'string';
      if (literalA !== (typeof b[i] === 'string')) return literalA ? -1 : 1;
    }
    return 0;
  };
  const ordered = [...entries.values()].sort((a, b) => specificity(a.segments, b.segments));
  return ordered.map(({ path, segments, methods }) => {
    const allow = new Set(methods.keys());
    if (allow.has('GET')) allow.add('HEAD');
    allow.add('OPTIONS');
    return { path, segments, methods, allow: METHODS.filter((m) => allow.has(m)).join(', ') };
  });
}

/**
 * Finds the entry whose pattern matches `path` and decodes its parameters.
 *
 * @param entries - From {@link compileRoutes}.
 * @param path - The request path, percent-encoded, without the query.
 * @returns The entry and parameters, or `undefined` when no pattern matches (a parameter that does not
 *   decode does not match).
 */
export function matchRoute(
  entries: readonly RouteEntry[],
  path: string,
): { entry: RouteEntry; params: Record<string, string> } | undefined {
  const parts = path === '/' ? [] : path.slice(1).split('/');
  for (const entry of entries) {
    if (entry.segments.length !== parts.length || !path.startsWith('/')) continue;
    const params: Record<string, string> = Object.create(null);
    const matched = entry.segments.every((segment, i) => {
      const part = parts[i]!;
      if (typeof segment === 'string') return segment === part;
      if (part === '') return false;
      try {
        params[segment.param] = decodeURIComponent(part);
        return true;
      } catch {
        return false;
      }
    });
    if (matched) return { entry, params };
  }
  return undefined;
}
