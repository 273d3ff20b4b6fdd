// Opens the page at argv[2] in the system Chromium, prints READY once its EventSource and WebSocket are live,
// then waits for the published messages and prints the page's results as one JSON line.
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const url = process.argv[2];
const timeout = Number(process.argv[3] || 20000);
const profile = mkdtempSync(join(tmpdir(), 'outpost-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.OUTPOST_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => window.ready && window.ready(), null, { timeout });
  console.log('READY');
  let ok = true;
  try {
    await page.waitForFunction(() => window.done && window.done(), null, { timeout });
  } catch (e) {
    ok = false;
  }
  const results = await page.evaluate(() => window.results);
  console.log(JSON.stringify({ ok, results }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e) }));
} finally {
  if (context) {
    await context.close();
  }
  rmSync(profile, { recursive: true, force: true });
}
