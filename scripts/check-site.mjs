// Checks the built documentation site (`npm run docs` writes it to site/) the way a reader meets it: served
// over HTTP on 127.0.0.1 and opened in headless Chromium (Debian's package, driven by playwright-core, as
// the demo's browser tests do; CHROMIUM_PATH overrides /usr/bin/chromium). It fails when
//   - a page it opens logs a console error, throws, or has a request that fails or answers >= 400;
//   - the sidebar does not start with the packages;
//   - typedoc's search does not find JWTStrategy and createRemoteVerifier, or the result opens another page;
//   - a guide (one per docs/*.md) has no title of its own, or its page does not render that title and the
//     guide's first heading;
//   - any local link or anchor of any HTML page, or of the sidebar, does not resolve (scripts/lib/site-links.mjs).
//
// Usage: node scripts/check-site.mjs (after npm run docs)
/* global document -- the waitForFunction callback runs in the page */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from './lib/workspace.mjs';
import { serveStatic } from './lib/static-server.mjs';
import { siteLinkChecker } from './lib/site-links.mjs';

const SITE = join(ROOT, 'site');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// The flags of apps/demo/test/browser-launch.ts: no sandbox (root in a container), no GPU, no background
// traffic to Google's services.
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SEARCHES = ['JWTStrategy', 'createRemoteVerifier'];
const PROJECT = JSON.parse(readFileSync(join(ROOT, 'typedoc.json'), 'utf8')).name;

/** The frontmatter title and the first `# ` heading of each docs/*.md, as text. */
function guides() {
  return readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(ROOT, 'docs', name), 'utf8');
      const front = /^---\n([\s\S]*?)\n---\n/.exec(text)?.[1] ?? '';
      const title = /^title:\s*(.+)$/m
        .exec(front)?.[1]
        .trim()
        .replace(/^(['"])(.*)\1$/, '$2');
      const heading = /^# (.+)$/m.exec(text)?.[1].replace(/[`*]/g, '').trim();
      return { file: `docs/${name}`, title, heading };
    });
}

/** The documents/*.html page of each title, read from the pages' <title>. */
function documentPages() {
  const byTitle = new Map();
  for (const name of readdirSync(join(SITE, 'documents'))) {
    const html = readFileSync(join(SITE, 'documents', name), 'utf8');
    const title = /<title>([^<]*)<\/title>/
      .exec(html)?.[1]
      .replaceAll('&quot;', '"')
      .replaceAll('&amp;', '&');
    if (title) byTitle.set(title, `documents/${name}`);
  }
  return byTitle;
}

if (!existsSync(join(SITE, 'index.html'))) {
  console.error('site/index.html is missing: run `npm run docs` first');
  process.exit(1);
}

const started = Date.now();
const failures = [];
const links = siteLinkChecker(SITE);
const server = await serveStatic(SITE);
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
try {
  const context = await browser.newContext();
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  let where = 'index.html';
  page.on('console', (message) => {
    if (message.type() === 'error') failures.push(`${where}: console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => failures.push(`${where}: uncaught ${error.message}`));
  page.on('requestfailed', (request) => {
    // A load the browser cancels because the page navigates on (the favicon, typically) is not a failure;
    // a missing file answers 404 and is caught below.
    const reason = request.failure()?.errorText;
    if (reason !== 'net::ERR_ABORTED')
      failures.push(`${where}: request failed: ${request.url()} (${reason})`);
  });
  page.on('response', (response) => {
    if (response.status() >= 400) failures.push(`${where}: ${response.status()} for ${response.url()}`);
  });
  const open = async (path) => {
    where = path;
    await page.goto(`${server.origin}/${encodeURI(path)}`, { waitUntil: 'load' });
    // typedoc hides the body until its script has run; the navigation is built from navigation.js.
    await page.waitForFunction(() => document.querySelector('#tsd-nav-container a') !== null);
  };

  // The index, and the sidebar: packages first, every entry resolving.
  await open('index.html');
  const sidebar = await page.$$eval('#tsd-nav-container a', (anchors) =>
    anchors.map((a) => ({ text: a.textContent?.trim() ?? '', href: a.getAttribute('href') ?? '' })),
  );
  if (!sidebar[0]?.text.startsWith('@org/')) {
    failures.push(`sidebar: starts with "${sidebar[0]?.text}", not with the packages (@org/...)`);
  }
  for (const { text, href } of sidebar) {
    const problem = links.checkHref('index.html', href);
    if (problem) failures.push(`sidebar: "${text}" -> "${href}": ${problem}`);
  }

  // Search: type the name, wait for results, open the exact match, land on its page.
  for (const name of SEARCHES) {
    await open('index.html');
    where = `search "${name}"`;
    await page.click('#tsd-search-trigger');
    await page.fill('#tsd-search-input', name);
    const result = page.locator('#tsd-search-results li a', { hasText: new RegExp(`(^|\\.)${name}$`) });
    try {
      await result.first().waitFor();
      await Promise.all([page.waitForURL((url) => url.pathname !== '/index.html'), result.first().click()]);
      const heading = (await page.textContent('.tsd-page-title h1'))?.trim();
      if (!heading?.endsWith(` ${name}`)) failures.push(`${where}: opened "${heading}" at ${page.url()}`);
    } catch (error) {
      const shown = await page.$$eval('#tsd-search-results li', (items) => items.map((i) => i.textContent));
      failures.push(`${where}: ${error.message.split('\n')[0]}; results: ${JSON.stringify(shown)}`);
    }
  }

  // Every guide: its own title (frontmatter), and the page renders it and the guide's first heading.
  const pages = documentPages();
  const guideList = guides();
  for (const { file, title, heading } of guideList) {
    if (!title) {
      failures.push(`${file}: no frontmatter title (the site would name the page after the file)`);
      continue;
    }
    const path = pages.get(`${title} | ${PROJECT}`);
    if (!path) {
      failures.push(`${file}: no page titled "${title}" in site/documents`);
      continue;
    }
    await open(path);
    const shown = { title: await page.title(), h1: (await page.textContent('.tsd-typography h1'))?.trim() };
    if (shown.title !== `${title} | ${PROJECT}` || shown.h1 !== heading) {
      failures.push(`${path}: shows ${JSON.stringify(shown)}, expected "${title}" and "${heading}"`);
    }
  }

  const crawl = links.checkAllPages();
  failures.push(...crawl.failures);
  console.log(
    `site: index, sidebar (${sidebar.length} links), search (${SEARCHES.join(', ')}), ` +
      `${guideList.length} guides; ${crawl.links} local links (${crawl.anchors} with an anchor) on ` +
      `${crawl.pages} pages; ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
} finally {
  await browser.close();
  await server.close();
}

// A page opened several times (the index, before each search) reports the same problem each time: once is enough.
const distinct = [...new Set(failures)];
if (distinct.length > 0) {
  console.error(`check-site: ${distinct.length} failure(s):\n- ${distinct.join('\n- ')}`);
  process.exit(1);
}
console.log('check-site: ok');
