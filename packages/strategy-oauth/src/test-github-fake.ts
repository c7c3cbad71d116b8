import { createHash, randomBytes } from 'node:crypto';
import { listen } from './test-provider.ts';

/** A GitHub-shaped OAuth 2.0 server on 127.0.0.1 (authorize, access_token, /user, /user/emails), as GitHub answers. */
export interface GitHubFake {
  /** Its origin. */
  origin: string;
  /** The provider section for `authentication.oauth.github`. */
  section: Record<string, string>;
  /** The token requests' bodies, as received. */
  tokenRequests: URLSearchParams[];
  /** Stops it. */
  close(): Promise<void>;
}

/**
 * Starts the fake. Each authorization is approved at once for `user` (GitHub's `/user` shape, email private).
 * @param user - The user `/user` returns.
 */
export async function startGitHubFake(
  user = { id: 4242, login: 'octocat', name: 'The Octocat', email: null },
): Promise<GitHubFake> {
  const { server, origin, handle } = await listen();
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  const tokens = new Set<string>();
  const tokenRequests: URLSearchParams[] = [];
  const clientId = 'gh-client';
  const clientSecret = 'gh-secret-0123456789';
  handle(async (req, res) => {
    const url = new URL(req.url!, origin);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (url.pathname === '/login/oauth/authorize') {
      const q = url.searchParams;
      if (q.get('client_id') !== clientId || q.get('code_challenge_method') !== 'S256')
        return json(400, { error: 'bad' });
      const code = randomBytes(10).toString('hex');
      codes.set(code, { challenge: q.get('code_challenge')!, redirectUri: q.get('redirect_uri')! });
      const back = new URL(q.get('redirect_uri')!);
      back.search = new URLSearchParams({ code, state: q.get('state')! }).toString();
      return res.writeHead(302, { location: back.href }).end();
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      let text = '';
      for await (const chunk of req) text += chunk;
      const body = new URLSearchParams(text);
      tokenRequests.push(body);
      const entry = codes.get(body.get('code') ?? '');
      codes.delete(body.get('code') ?? '');
      const verifier = body.get('code_verifier') ?? '';
      const ok =
        entry !== undefined &&
        body.get('client_id') === clientId &&
        body.get('client_secret') === clientSecret &&
        body.get('redirect_uri') === entry.redirectUri &&
        createHash('sha256').update(verifier).digest('base64url') === entry.challenge;
      // GitHub answers a bad code with 200 and an error member.
      if (!ok)
        return json(200, {
          error: 'bad_verification_code',
          error_description: 'The code passed is incorrect or expired.',
        });
      const token = `gho_${randomBytes(16).toString('hex')}`;
      tokens.add(token);
      if (!(req.headers.accept ?? '').includes('json')) {
        return res
          .writeHead(200, { 'content-type': 'application/x-www-form-urlencoded' })
          .end(`access_token=${token}&token_type=bearer`);
      }
      return json(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const token = /^Bearer (.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (token === undefined || !tokens.has(token)) return json(401, { message: 'Bad credentials' });
    if (url.pathname === '/user') return json(200, user);
    if (url.pathname === '/user/emails') {
      return json(200, [
        { email: 'octo-old@example.com', primary: false, verified: true },
        { email: 'octocat@example.com', primary: true, verified: true },
      ]);
    }
    return json(404, { message: 'Not Found' });
  });
  return {
    origin,
    section: {
      key: clientId,
      secret: clientSecret,
      authorizationEndpoint: `${origin}/login/oauth/authorize`,
      tokenEndpoint: `${origin}/login/oauth/access_token`,
      userinfoEndpoint: `${origin}/user`,
    },
    tokenRequests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
