/// <reference types="@fastly/js-compute" />
// One app, one route per hostcall family, so each engine loads a single module for the suite.
import { ConfigStore } from 'fastly:config-store';
import { Logger } from 'fastly:logger';
import { env } from 'fastly:env';
import { KVStore } from 'fastly:kv-store';
import { SecretStore } from 'fastly:secret-store';
import { getGeolocationForIpAddress } from 'fastly:geolocation';
import { Acl } from 'fastly:acl';
import { Device } from 'fastly:device';
import { RateCounter } from 'fastly:edge-rate-limiter';
import { createFanoutHandoff } from 'fastly:fanout';
import { createWebsocketHandoff } from 'fastly:websocket';
import { Backend } from 'fastly:backend';

async function echo(req) {
  const headers = [];
  for (const [name, value] of req.headers) {
    headers.push([name, value]);
  }
  const body = await req.text();
  const out = { method: req.method, url: req.url, headers, body };
  const resp = new Response(JSON.stringify(out), { status: 201, headers: { 'content-type': 'application/json' } });
  resp.headers.append('set-cookie', 'a=1');
  resp.headers.append('set-cookie', 'b=2');
  return resp;
}

function stream() {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream({
    async pull(controller) {
      if (i < 5) {
        controller.enqueue(encoder.encode(`chunk ${i}\n`));
        i++;
      } else {
        controller.close();
      }
    },
  });
  return new Response(body, { headers: { 'content-type': 'text/plain' } });
}

async function backend(req) {
  const url = new URL(req.url);
  const path = url.searchParams.get('path') ?? '/';
  const upstream = await fetch(`http://origin.test${path}`, {
    backend: url.searchParams.get('be') ?? 'origin',
    method: req.method,
    headers: { 'x-from-edge': 'yes' },
    body: req.method === 'POST' ? await req.text() : undefined,
  });
  const text = await upstream.text();
  return new Response(`origin said ${upstream.status}: ${text}`, {
    headers: { 'x-origin-header': upstream.headers.get('x-origin') ?? 'none' },
  });
}

async function parallel() {
  const [a, b] = await Promise.all([
    fetch('http://origin.test/a', { backend: 'origin' }),
    fetch('http://origin.test/b', { backend: 'origin' }),
  ]);
  return new Response(`${await a.text()}+${await b.text()}`);
}

function config(req) {
  const key = new URL(req.url).searchParams.get('key');
  const store = new ConfigStore('flags');
  const value = store.get(key);
  return new Response(value === null ? 'missing' : value, { status: value === null ? 404 : 200 });
}

function log() {
  new Logger('mylog').log('hello from the edge');
  console.log('console line');
  return new Response('logged');
}

function envVars() {
  return new Response(`version=${env('FASTLY_SERVICE_VERSION')} host=${env('FASTLY_HOSTNAME')} pop=${env('FASTLY_POP')}`);
}

async function kv(req) {
  const q = new URL(req.url).searchParams;
  const store = new KVStore('store');
  switch (q.get('op')) {
    case 'get': {
      const entry = await store.get(q.get('key'));
      if (entry === null) {
        return new Response('no such key', { status: 404 });
      }
      return new Response(await entry.text(), { headers: { 'x-metadata': entry.metadataText() ?? '' } });
    }
    case 'put':
      await store.put(q.get('key'), q.get('value'), q.has('meta') ? { metadata: q.get('meta') } : {});
      return new Response('stored');
    case 'delete':
      await store.delete(q.get('key'));
      return new Response('deleted');
    case 'list': {
      const page = await store.list(q.has('prefix') ? { prefix: q.get('prefix') } : {});
      return new Response(page.list.join(','));
    }
    default:
      return new Response('bad op', { status: 400 });
  }
}

async function secret(req) {
  const key = new URL(req.url).searchParams.get('key');
  const found = await new SecretStore('secrets').get(key);
  return new Response(found === null ? 'missing' : found.plaintext());
}

function geo(req) {
  const ip = new URL(req.url).searchParams.get('ip');
  const record = getGeolocationForIpAddress(ip);
  return new Response(JSON.stringify(record), { headers: { 'content-type': 'application/json' } });
}

async function dynamic(req) {
  const target = new URL(req.url).searchParams.get('target');
  const upstream = await fetch(`http://${target}/dyn`);
  return new Response(`dynamic ${upstream.status}: ${await upstream.text()}`);
}

async function streamUpload() {
  const encoder = new TextEncoder();
  let i = 0;
  const body = new ReadableStream({
    pull(controller) {
      if (i < 3) {
        controller.enqueue(encoder.encode(`part${i}`));
        i++;
      } else {
        controller.close();
      }
    },
  });
  const upstream = await fetch('http://origin.test/upload', { backend: 'origin', method: 'POST', body });
  return new Response(await upstream.text());
}

function passUpload(req) {
  return fetch('http://origin.test/pass', { backend: 'origin', method: 'POST', body: req.body });
}

function proxy(req) {
  const path = new URL(req.url).searchParams.get('path') ?? '/';
  return fetch(`http://origin.test${path}`, { backend: 'origin' });
}

async function acl(req) {
  const ip = new URL(req.url).searchParams.get('ip');
  const match = await Acl.open('internal').lookup(ip);
  return new Response(match === null ? 'no match' : `${match.action} ${match.prefix}`);
}

function device(req) {
  const found = Device.lookup(req.headers.get('user-agent') ?? '');
  return new Response(found === null ? 'unknown device' : `${found.name} mobile=${found.isMobile}`);
}

function erl() {
  const counter = new RateCounter('requests');
  counter.increment('client', 3);
  counter.increment('client', 4);
  return new Response(`count=${counter.lookupCount('client', 10)}`);
}

function alloc() {
  const blocks = [];
  for (let i = 0; i < 64; i++) {
    blocks.push(new Uint8Array(8 * 1024 * 1024));
    console.log(`allocated ${(i + 1) * 8} MiB`);
  }
  return new Response(`kept ${blocks.length} blocks`);
}

async function down() {
  try {
    await fetch('http://down.test/', { backend: 'down' });
    return new Response('unexpectedly reached');
  } catch (e) {
    return new Response(`backend failed: ${e.name}`, { status: 502 });
  }
}

async function slow() {
  try {
    const upstream = await fetch('http://origin.test/stall', { backend: 'slow' });
    return new Response(`unexpected ${upstream.status}`);
  } catch (e) {
    return new Response(`timed out: ${e.name}`, { status: 504 });
  }
}

function backendInfo() {
  const b = Backend.fromName('secure');
  return new Response([
    `exists=${Backend.exists('origin')}/${Backend.exists('nope')}`,
    `target=${b.target}`,
    `port=${b.port}`,
    `ssl=${b.isSSL}`,
    `dynamic=${b.isDynamic}`,
    `firstByte=${b.firstByteTimeout}`,
    `health=${b.health()}`,
  ].join(' '));
}

// What the server's warm-up runs (GET /): every effect here must stay invisible to the outside.
async function root() {
  console.log('root ran');
  new Logger('mylog').log('root ran');
  const store = new KVStore('store');
  const previous = await store.get('root-runs');
  const runs = Number(previous === null ? '0' : await previous.text()) + 1;
  await store.put('root-runs', String(runs));
  let fetched;
  try {
    fetched = (await fetch('http://origin.test/root', { backend: 'origin' })).status;
  } catch (e) {
    fetched = 'failed';
  }
  return new Response(`runs=${runs} fetched=${fetched}`);
}

function spin() {
  for (;;) {
    // Never returns: the server must stop it.
  }
}

async function handle(event) {
  const req = event.request;
  const path = new URL(req.url).pathname;
  switch (path) {
    case '/': return root();
    case '/echo': return echo(req);
    case '/stream': return stream();
    case '/backend': return backend(req);
    case '/parallel': return parallel();
    case '/config': return config(req);
    case '/log': return log();
    case '/env': return envVars();
    case '/client': return new Response(`${event.client.address}`);
    case '/throw': throw new Error('boom');
    case '/kv': return kv(req);
    case '/secret': return secret(req);
    case '/geo': return geo(req);
    case '/dynamic': return dynamic(req);
    case '/stream-upload': return streamUpload();
    case '/proxy': return proxy(req);
    case '/pass-upload': return passUpload(req);
    case '/spin': return spin();
    case '/alloc': return alloc();
    case '/acl': return acl(req);
    case '/device': return device(req);
    case '/erl': return erl();
    case '/down': return down();
    case '/slow': return slow();
    case '/backend-info': return backendInfo();
    case '/fanout': return createFanoutHandoff(req, 'origin');
    case '/fanout-edit': return fanoutEdit(req);
    case '/ws-passthrough': return createWebsocketHandoff(req, 'wsorigin');
    default: return new Response('not found', { status: 404 });
  }
}

// Header edits reach the proxy, except protected headers, which come from the client's request.
function fanoutEdit(req) {
  req.headers.set('x-edited', 'yes');
  req.headers.set('cdn-loop', 'from-guest');
  req.headers.delete('x-drop');
  return createFanoutHandoff(req, 'self');
}

addEventListener('fetch', (event) => event.respondWith(handle(event)));
