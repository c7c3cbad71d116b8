/**
 * A browser as far as redirects and cookies go: follows `Location` by hand, keeps cookies per host
 * (ignoring `Path`, so a test sees every cookie a server set), and submits oidc-provider's dev forms.
 */
export class TestBrowser {
  readonly cookies = new Map<string, Map<string, string>>();

  /** The cookies of a host as a `Cookie` header. @param url - Any URL on the host. */
  cookieHeader(url: string): string {
    const jar = this.cookies.get(new URL(url).host) ?? new Map();
    return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  #store(url: string, response: Response): void {
    const host = new URL(url).host;
    const jar = this.cookies.get(host) ?? new Map<string, string>();
    this.cookies.set(host, jar);
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attributes.some(
        (a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a),
      );
      if (expired || value === '') jar.delete(name);
      else jar.set(name, value);
    }
  }

  /**
   * One request, no redirect followed.
   * @param url - The URL.
   * @param init - Method, headers, body.
   */
  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.cookieHeader(url);
    if (cookie !== '') headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.#store(url, response);
    return response;
  }

  /**
   * Follows redirects until `stop(url)` says so or a non-redirect answers; resolves with the last URL.
   * @param url - Where to start.
   * @param stop - Stops before requesting a URL it accepts (the front end's page).
   * @param init - For the first request.
   */
  async follow(
    url: string,
    stop: (url: URL) => boolean,
    init: RequestInit = {},
  ): Promise<{ url: URL; response?: Response }> {
    let current = url;
    let options = init;
    for (let hops = 0; hops < 20; hops++) {
      if (stop(new URL(current))) return { url: new URL(current) };
      const response = await this.request(current, options);
      options = {};
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || location === null)
        return { url: new URL(current), response };
      await response.arrayBuffer();
      current = new URL(location, current).href;
    }
    throw new Error('Too many redirects');
  }

  /**
   * Submits the form on an oidc-provider dev interaction page (login, then consent) with its hidden
   * fields and the given ones; resolves with the redirect it answers.
   * @param page - The interaction page URL.
   * @param fields - Visible fields (`login`, `password`).
   */
  async submitForm(page: string, fields: Record<string, string> = {}): Promise<string> {
    const html = await (await this.request(page)).text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    if (action === undefined) throw new Error(`No form on ${page}: ${html.slice(0, 200)}`);
    const body = new URLSearchParams();
    for (const match of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
      body.set(match[1]!, match[2]!);
    for (const [name, value] of Object.entries(fields)) body.set(name, value);
    const response = await this.request(new URL(action, page).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body,
    });
    await response.arrayBuffer();
    const location = response.headers.get('location');
    if (location === null) throw new Error(`The form on ${page} answered ${response.status}`);
    return new URL(location, page).href;
  }
}
