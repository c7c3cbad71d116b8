// Every local link and anchor of the built site, checked on disk: the href/src attributes of every HTML
// page (collected by regex: typedoc writes plain double-quoted attributes, and code blocks escape their
// quotes, so no parser is needed), resolved against the page, must name a file of the site, and a
// `#fragment` must be an id (or name) in the target page. The sidebar, which typedoc builds in the browser
// from navigation.js, is checked by the browser part (check-site.mjs) with `checkHref`.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';

const ATTRIBUTE = /\s(href|src)="([^"]*)"/g;
const ID = /\s(?:id|name)="([^"]*)"/g;
const SCHEME = /^[a-z][a-z0-9+.-]*:/i;
const ENTITIES = { '&amp;': '&', '&quot;': '"', '&#39;': "'", '&lt;': '<', '&gt;': '>' };

/** @param {string} text */
function decodeEntities(text) {
  return text.replace(/&(?:amp|quot|#39|lt|gt);/g, (entity) => ENTITIES[entity]);
}

/**
 * @param {string} dir
 * @returns {string[]} every file under dir, absolute
 */
function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)],
  );
}

/**
 * A checker bound to one site folder; ids of each target file are read once.
 * @param {string} root the site folder
 */
export function siteLinkChecker(root) {
  /** @type {Map<string, Set<string>>} */
  const ids = new Map();
  const idsOf = (/** @type {string} */ file) => {
    let found = ids.get(file);
    if (!found) {
      const text = readFileSync(file, 'utf8');
      found = new Set([...text.matchAll(ID)].map((match) => decodeEntities(match[1])));
      ids.set(file, found);
    }
    return found;
  };

  /**
   * Why `href`, found on the page at `pagePath` (relative to the site, `/`-separated), does not resolve;
   * undefined when it does, or when it leaves the site (another scheme, protocol-relative).
   * @param {string} pagePath
   * @param {string} href as written in the attribute, entities decoded
   * @returns {string | undefined}
   */
  function checkHref(pagePath, href) {
    if (SCHEME.test(href) || href.startsWith('//')) return undefined;
    const url = new URL(href, `http://site/${pagePath}`);
    let path;
    try {
      path = decodeURIComponent(url.pathname);
    } catch {
      return 'undecodable path';
    }
    let file = join(root, ...path.split('/'));
    if (!file.startsWith(root + sep) && file !== root) return 'points outside the site';
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return `missing file ${relative(root, file)}`;
    const fragment = url.hash.slice(1);
    if (!fragment || !['.html', '.svg'].includes(extname(file))) return undefined;
    let anchor;
    try {
      anchor = decodeURIComponent(fragment);
    } catch {
      return 'undecodable anchor';
    }
    return idsOf(file).has(anchor) ? undefined : `missing anchor #${anchor} in ${relative(root, file)}`;
  }

  /**
   * Checks every href/src of every HTML page of the site.
   * @returns {{ pages: number, links: number, anchors: number, failures: string[] }} failures name the
   *   page, the href and why; one broken href shared by many pages is listed once, with the count.
   */
  function checkAllPages() {
    const pages = walk(root).filter((file) => file.endsWith('.html'));
    /** @type {Map<string, { first: string, count: number }>} */
    const broken = new Map();
    let links = 0;
    let anchors = 0;
    for (const page of pages) {
      const pagePath = relative(root, page).split(sep).join('/');
      for (const [, , raw] of readFileSync(page, 'utf8').matchAll(ATTRIBUTE)) {
        const href = decodeEntities(raw);
        if (SCHEME.test(href) || href.startsWith('//') || href === '' || href === '#') continue;
        links += 1;
        if (href.includes('#')) anchors += 1;
        const problem = checkHref(pagePath, href);
        if (problem === undefined) continue;
        // The same href on the same target (a link in a shared header) is reported once.
        const target = new URL(href, `http://site/${pagePath}`).href;
        const key = `${target} ${problem}`;
        const seen = broken.get(key);
        if (seen) seen.count += 1;
        else broken.set(key, { first: `${pagePath}: "${href}": ${problem}`, count: 1 });
      }
    }
    const failures = [...broken.values()].map(({ first, count }) =>
      count > 1 ? `${first} (and ${count - 1} more pages)` : first,
    );
    return { pages: pages.length, links, anchors, failures };
  }

  return { checkHref, checkAllPages };
}
