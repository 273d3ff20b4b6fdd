/// <reference types="@fastly/js-compute" />
// One app, one route per hostcall family, so each engine loads a single module for the suite.
import { ConfigStore } from 'fastly:config-store';
import { Logger } from 'fastly:logger';
import { env } from 'fastly:env';

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
    backend: 'origin',
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

async function handle(event) {
  const req = event.request;
  const path = new URL(req.url).pathname;
  switch (path) {
    case '/echo': return echo(req);
    case '/stream': return stream();
    case '/backend': return backend(req);
    case '/parallel': return parallel();
    case '/config': return config(req);
    case '/log': return log();
    case '/env': return envVars();
    case '/client': return new Response(`${event.client.address}`);
    case '/throw': throw new Error('boom');
    default: return new Response('not found', { status: 404 });
  }
}

addEventListener('fetch', (event) => event.respondWith(handle(event)));
