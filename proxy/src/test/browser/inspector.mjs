// Opens the inspector at argv[2] in the system Chromium and reports what it shows, step by step on stdout:
// READY once the live feed is connected, SUBSCRIBED once the held connections are listed, then one JSON line with
// what the page showed after the publishes. Screenshots go to the folder argv[3].
import { chromium } from 'playwright-core';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const url = process.argv[2];
const shots = process.argv[3];
const timeout = Number(process.argv[4] || 20000);
const profile = mkdtempSync(join(tmpdir(), 'outpost-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.OUTPOST_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1280, height: 860 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = context.pages()[0] || await context.newPage();
  await page.goto(url);
  await page.waitForSelector('#live.on', { timeout });
  console.log('READY');
  await page.waitForFunction(() => document.querySelectorAll('#conn-table tbody tr').length >= 4
    && document.querySelector('#conn-table').textContent.includes('news'), null, { timeout });
  console.log('SUBSCRIBED');
  await page.waitForFunction(() => {
    const pubs = document.querySelector('#pub-list').textContent;
    const log = document.querySelector('#event-log').textContent;
    return pubs.includes('sports') && pubs.includes('reached 3') && log.includes('deliver')
      && log.includes('no_subscriber');
  }, null, { timeout });
  const result = await page.evaluate(() => ({
    connections: [...document.querySelectorAll('#conn-table tbody tr')].map((r) => r.textContent.replace(/\s+/g, ' ').trim()),
    publishes: [...document.querySelectorAll('#pub-list li')].map((r) => r.textContent.replace(/\s+/g, ' ').trim()),
    events: [...document.querySelectorAll('#event-log li')].map((r) => r.textContent.replace(/\s+/g, ' ').trim()),
    tiles: document.querySelector('#tiles').textContent.replace(/\s+/g, ' ').trim(),
  }));
  await page.screenshot({ path: join(shots, 'inspector.png') });

  // the explain view of the connection held on 'alerts': why did it not get the item on 'news'?
  await page.click('#conn-table tbody tr:has-text("alerts")');
  await page.waitForSelector('#explain-key', { timeout });
  await page.fill('#explain-key', 'n1');
  await page.click('#explain-go');
  await page.waitForSelector('#explain-out .verdict', { timeout });
  result.explain = (await page.textContent('#explain-out')).replace(/\s+/g, ' ').trim();
  await page.screenshot({ path: join(shots, 'inspector-explain.png') });

  await page.click('#detail-close');
  await page.click('#pub-list li:has-text("news")');
  await page.waitForFunction(() => document.querySelector('#detail-title').textContent.startsWith('Publish'), null, { timeout });
  result.publish = (await page.textContent('#detail-body')).replace(/\s+/g, ' ').trim();
  await page.screenshot({ path: join(shots, 'inspector-publish.png') });
  console.log(JSON.stringify({ ok: true, ...result }));
} catch (e) {
  console.log(JSON.stringify({ ok: false, error: String(e) }));
} finally {
  if (context) {
    await context.close();
  }
  rmSync(profile, { recursive: true, force: true });
}
