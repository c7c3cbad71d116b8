// How the browser tests start Chromium: Debian's package (`apt-get install chromium`, which .ci/run does
// when it is missing), never a browser download. playwright-core's launch() gives each run a fresh
// temporary profile (it refuses a --user-data-dir flag).

/** Debian's Chromium, or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The flags that make headless Chromium quiet and self-contained here: no sandbox (root in a container),
 * no GPU, no QUIC, and no background traffic to Google's services.
 */
export function browserArgs(): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
}
