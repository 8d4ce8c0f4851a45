import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium (`scripts/install-toolchain.sh` installs the `chromium` package); never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium driven by playwright-core, in a fresh profile. The flags keep it from reaching out on its
 * own (updates, sync, background fetches): a test machine may have no network beyond loopback, and a browser
 * retrying blocked connections would only slow the test. `--no-sandbox` because tests may run as root.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found: run scripts/install-toolchain.sh (Debian package chromium)`);
  return chromium.launch({
    executablePath: CHROMIUM, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
