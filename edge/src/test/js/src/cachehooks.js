/// <reference types="@fastly/js-compute" />
// js-compute-flags: --enable-http-cache
// The HTTP cache under the app's control (built with --enable-http-cache): fetch() keeps its readthrough behaviour
// through fastly_http_cache, and CacheOverride's beforeSend / afterSend hooks shape what is sent and stored.
import { CacheOverride } from 'fastly:cache-override';
import { purgeSurrogateKey } from 'fastly:compute';

function hooks(kind) {
  switch (kind) {
    case 'plain':
      return undefined;
    case 'before':
      return new CacheOverride({
        beforeSend(req) {
          req.headers.set('x-before', 'yes');
        },
      });
    case 'after':
      return new CacheOverride({
        afterSend(resp) {
          resp.headers.set('x-after', 'yes');
          resp.ttl = 300;
          return { cache: true };
        },
      });
    case 'uncacheable':
      return new CacheOverride({
        afterSend() {
          return { cache: 'uncacheable' };
        },
      });
    case 'transform':
      return new CacheOverride({
        afterSend() {
          return {
            bodyTransformFn(body) {
              return new TextEncoder().encode(new TextDecoder().decode(body).toUpperCase());
            },
          };
        },
      });
    default:
      throw new Error(`no such hook: ${kind}`);
  }
}

async function handle(event) {
  const url = new URL(event.request.url);
  const [, area, kind] = url.pathname.split('/');
  if (area === 'purge') {
    purgeSurrogateKey(url.searchParams.get('sk'));
    return new Response('purged');
  }
  if (area !== 'hooks') {
    return new Response('not found', { status: 404 });
  }
  const init = { backend: 'origin' };
  const override = hooks(kind);
  if (override !== undefined) {
    init.cacheOverride = override;
  }
  const upstream = await fetch(`http://origin.test${url.searchParams.get('path')}`, init);
  const headers = new Headers(upstream.headers);
  headers.set('x-js-cached', String(upstream.cached));
  headers.set('x-js-ttl', String(upstream.ttl));
  return new Response(upstream.body, { status: upstream.status, headers });
}

addEventListener('fetch', (event) => event.respondWith(handle(event)));
