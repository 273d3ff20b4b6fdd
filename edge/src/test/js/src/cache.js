/// <reference types="@fastly/js-compute" />
// Request forwarding and the caches as an app uses them: the simple cache, the core cache (with transactions) and the
// readthrough cache of fetch() with its CacheOverride, plus purging by surrogate key.
import { SimpleCache, CoreCache } from 'fastly:cache';
import { CacheOverride } from 'fastly:cache-override';
import { purgeSurrogateKey } from 'fastly:compute';

// The "proxy this request" idiom: the client's own headers (Content-Length included) and its body, read whole.
async function forward(req) {
  const target = new URL(req.url).searchParams.get('path') ?? '/';
  const upstream = await fetch(
    new Request(`http://origin.test${target}`, { method: req.method, headers: req.headers, body: await req.text() }),
    { backend: 'origin' },
  );
  return new Response(upstream.body, { status: upstream.status, headers: upstream.headers });
}

function json(value, status = 200) {
  return new Response(JSON.stringify(value), { status, headers: { 'content-type': 'application/json' } });
}

async function simple(req, op) {
  const q = new URL(req.url).searchParams;
  const key = q.get('key');
  switch (op) {
    case 'get-or-set': {
      let ran = false;
      const entry = await SimpleCache.getOrSet(key, async () => {
        ran = true;
        return { value: q.get('value'), ttl: Number(q.get('ttl') ?? '60') };
      });
      return json({ value: await entry.text(), computed: ran });
    }
    case 'get': {
      const entry = SimpleCache.get(key);
      return entry === null ? json({ found: false }, 404) : json({ found: true, value: await entry.text() });
    }
    case 'purge':
      SimpleCache.purge(key, { scope: 'pop' });
      return json({ purged: key });
    default:
      return json({ error: 'bad op' }, 400);
  }
}

function listParam(q, name) {
  return q.has(name) ? q.get(name).split(',').filter((s) => s.length > 0) : undefined;
}

async function describe(entry) {
  const state = entry.state();
  return {
    found: state.found(),
    usable: state.usable(),
    stale: state.stale(),
    mustInsertOrUpdate: state.mustInsertOrUpdate(),
    body: state.found() ? await new Response(entry.body()).text() : null,
    meta: state.found() ? new TextDecoder().decode(entry.userMetadata()) : null,
    hits: state.found() ? entry.hits() : null,
    length: state.found() ? entry.length() : null,
    maxAge: state.found() ? entry.maxAge() : null,
    swr: state.found() ? entry.staleWhileRevalidate() : null,
  };
}

function writeOptions(req, q) {
  const options = { maxAge: Number(q.get('maxAge') ?? '60000') };
  if (q.has('meta')) options.userMetadata = q.get('meta');
  if (q.has('sk')) options.surrogateKeys = listParam(q, 'sk');
  if (q.has('vary')) options.vary = listParam(q, 'vary');
  if (q.has('swr')) options.staleWhileRevalidate = Number(q.get('swr'));
  if (q.has('initialAge')) options.initialAge = Number(q.get('initialAge'));
  return options;
}

async function core(req, op) {
  const q = new URL(req.url).searchParams;
  const key = q.get('key');
  switch (op) {
    case 'insert': {
      const options = writeOptions(req, q);
      options.headers = req.headers;
      const body = CoreCache.insert(key, options);
      body.append(q.get('value'));
      body.close();
      return json({ inserted: key });
    }
    case 'lookup': {
      const entry = CoreCache.lookup(key, { headers: req.headers });
      if (entry === null) {
        return json({ found: false }, 404);
      }
      const out = await describe(entry);
      entry.close();
      return json(out);
    }
    case 'transaction': {
      // The leader fetches the value from the origin (slowly, so that others collapse onto it), then inserts it.
      const entry = CoreCache.transactionLookup(key, { headers: req.headers });
      const state = entry.state();
      if (state.mustInsertOrUpdate()) {
        const upstream = await fetch(`http://origin.test${q.get('path')}`, {
          backend: 'origin',
          cacheOverride: new CacheOverride('pass'),
        });
        const value = await upstream.text();
        const options = writeOptions(req, q);
        if (state.found()) {
          entry.update(options);
          entry.close();
          return json({ role: 'revalidated', value });
        }
        const [body, inserted] = entry.insertAndStreamBack(options);
        body.append(value);
        body.close();
        const out = await describe(inserted);
        entry.close();
        return json({ role: 'leader', value: out.body });
      }
      const out = await describe(entry);
      entry.close();
      return json({ role: state.stale() ? 'stale' : 'follower', value: out.body });
    }
    case 'cancel': {
      const entry = CoreCache.transactionLookup(key);
      const must = entry.state().mustInsertOrUpdate();
      if (must) {
        entry.cancel();
      }
      entry.close();
      return json({ cancelled: must });
    }
    default:
      return json({ error: 'bad op' }, 400);
  }
}

// The readthrough cache: what fetch() does with a GET on Fastly.
function readthrough(req, op) {
  const q = new URL(req.url).searchParams;
  const url = `http://origin.test${q.get('path')}`;
  const init = { backend: 'origin', headers: {} };
  if (q.has('lang')) init.headers['x-lang'] = q.get('lang');
  if (q.has('debug')) init.headers['fastly-debug'] = '1';
  switch (op) {
    case 'fetch':
      break;
    case 'pass':
      init.cacheOverride = new CacheOverride('pass');
      break;
    case 'override': {
      const o = {};
      if (q.has('ttl')) o.ttl = Number(q.get('ttl'));
      if (q.has('swr')) o.swr = Number(q.get('swr'));
      if (q.has('sk')) o.surrogateKey = q.get('sk');
      if (q.has('pci')) o.pci = true;
      init.cacheOverride = new CacheOverride('override', o);
      break;
    }
    case 'purge':
      purgeSurrogateKey(q.get('sk'), q.has('soft'));
      return Promise.resolve(json({ purged: q.get('sk') }));
    default:
      return Promise.resolve(json({ error: 'bad op' }, 400));
  }
  return fetch(url, init);
}

async function handle(event) {
  const req = event.request;
  const path = new URL(req.url).pathname;
  const [, area, op] = path.split('/');
  switch (area) {
    case 'forward': return forward(req);
    case 'simple': return simple(req, op);
    case 'core': return core(req, op);
    case 'rt': return readthrough(req, op);
    default: return new Response('not found', { status: 404 });
  }
}

addEventListener('fetch', (event) => event.respondWith(handle(event)));
