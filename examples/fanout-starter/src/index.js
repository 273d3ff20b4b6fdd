/// <reference types="@fastly/js-compute" />
// A Fanout app: the /test/* endpoints hold connections open in the GRIP proxy, everything else is passed on.
//
// A request without Grip-Sig comes straight from a client: it is handed off to the GRIP proxy (Fanout), which sends
// it back to this app (backend 'self') signed with Grip-Sig. The app then answers with GRIP instructions telling the
// proxy what to hold and which channel to subscribe to. Publishing to that channel reaches every held client.
import { createFanoutHandoff } from 'fastly:fanout';

const CHANNEL = 'test';

addEventListener('fetch', (event) => event.respondWith(handle(event)));

async function handle(event) {
  const request = event.request;
  const url = new URL(request.url);
  if (!url.host) {
    return new Response('Unknown host\n', { status: 404 });
  }

  // Answered by the app itself: no Fanout involved.
  if (url.pathname === '/edge/hello') {
    return new Response('Hello from the Compute app\n', { headers: { 'content-type': 'text/plain' } });
  }
  // A plain backend fetch from the app.
  if (url.pathname === '/edge/fetch') {
    const upstream = await fetch(new Request('http://localhost:3000/hello'), { backend: 'origin' });
    const text = await upstream.text();
    return new Response(`origin said: ${text}`, { status: upstream.status, headers: { 'content-type': 'text/plain' } });
  }

  if (url.pathname.startsWith('/test/')) {
    if (!request.headers.has('grip-sig')) {
      // From a client: let the GRIP proxy take the connection and ask us again.
      return createFanoutHandoff(forwarded(request, event), 'self');
    }
    return gripAnswer(url.pathname, request);
  }

  // Anything else goes to the origin, through the GRIP proxy (so the origin may answer with GRIP too).
  return createFanoutHandoff(forwarded(request, event), 'origin');
}

function forwarded(request, event) {
  const address = event.client.address;
  if (address) {
    request.headers.set('x-forwarded-for', address);
  }
  return request;
}

async function gripAnswer(path, request) {
  switch (path) {
    case '/test/long-poll':
      return hold('response', 'text/plain');
    case '/test/stream':
      return hold('stream', 'text/plain');
    case '/test/sse':
      return hold('stream', 'text/event-stream');
    case '/test/websocket':
      return webSocketEvents(request);
    default:
      return new Response('No such test endpoint\n', { status: 404 });
  }
}

function hold(mode, contentType) {
  return new Response('', {
    status: 200,
    headers: { 'content-type': contentType, 'grip-hold': mode, 'grip-channel': CHANNEL },
  });
}

// WebSocket-over-HTTP: the proxy turns the client's WebSocket into POSTs of events. Echo what the client sent and,
// when it connects, subscribe the connection to the channel.
async function webSocketEvents(request) {
  if (request.headers.get('content-type') !== 'application/websocket-events') {
    return new Response('Not a WebSocket-over-HTTP request.\n', { status: 400 });
  }
  // Bytes, not text: a CLOSE event carries a binary close code.
  const events = new Uint8Array(await request.arrayBuffer());
  const headers = { 'content-type': 'application/websocket-events' };
  let body = events;
  if (new TextDecoder().decode(events.subarray(0, 6)) === 'OPEN\r\n') {
    const control = new TextEncoder().encode(`c:${JSON.stringify({ type: 'subscribe', channel: CHANNEL })}`);
    const event = new TextEncoder().encode(`TEXT ${control.length.toString(16)}\r\n`);
    body = concat(events, event, control, new TextEncoder().encode('\r\n'));
    headers['sec-websocket-extensions'] = 'grip; message-prefix=""';
  }
  return new Response(body, { status: 200, headers });
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
