// The example's origin: a plain HTTP server the Compute app hands other paths to (backend 'origin' in fastly.toml).
//   GET /hello             a short text, also fetched by the app at /edge/fetch
//   POST /publish?text=..  publishes the text to channel 'test' (all formats) through the proxy's publish API
//   GET /                  a page that opens an EventSource and a WebSocket through the edge and shows what arrives
//   anything else          a short text
// Usage: node origin/server.mjs [PORT]   (default 3000; publishes to PUBLISH_URL, default http://localhost:5561/publish/)
import { createServer } from 'node:http';

const port = Number(process.argv[2] ?? 3000);
const publishUrl = process.env.PUBLISH_URL ?? 'http://localhost:5561/publish/';

const server = createServer(async (req, res) => {
  const url = new URL(req.url, 'http://localhost');
  if (url.pathname === '/hello') {
    res.writeHead(200, { 'content-type': 'text/plain' }).end('hello from the origin\n');
    return;
  }
  if (url.pathname === '/publish' && req.method === 'POST') {
    const text = url.searchParams.get('text') ?? 'hello';
    const items = [{
      channel: 'test',
      formats: {
        'http-response': { body: `${text}\n` },
        // SSE framing, so EventSource clients get it as a message; plain streams show the data line.
        'http-stream': { content: `data: ${text}\n\n` },
        'ws-message': { content: text },
      },
    }];
    try {
      const published = await fetch(publishUrl, { method: 'POST', body: JSON.stringify({ items }) });
      res.writeHead(published.status, { 'content-type': 'text/plain' }).end(await published.text());
    } catch (e) {
      res.writeHead(502, { 'content-type': 'text/plain' }).end(`publish failed: ${e.message}\n`);
    }
    return;
  }
  if (url.pathname === '/' && req.method === 'GET') {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    return;
  }
  res.writeHead(200, { 'content-type': 'text/plain' }).end(
    `This is the example's origin (${req.method} ${url.pathname}).\n`
      + 'Try GET /test/stream on the edge, then POST /publish?text=hi here.\n');
});

// Loaded through the edge (the app hands '/' to this origin), so /test/* are same-origin for the browser.
const PAGE = `<!doctype html>
<meta charset="utf-8"><title>Fanout starter</title>
<h1>Fanout starter</h1>
<p>Publish with <code>./outpost publish --format sse test hello</code> (SSE) or
<code>./outpost publish test hello</code> (stream, long-poll, WebSocket), or
<button id="publish">publish through the origin</button>.</p>
<h2>Server-Sent Events (/test/sse)</h2><ul id="sse"></ul>
<h2>WebSocket (/test/websocket)</h2><ul id="ws"></ul>
<input id="text" placeholder="send on the WebSocket (echoed)"><button id="send">send</button>
<script>
  const add = (id, text) => { const li = document.createElement('li'); li.textContent = text; document.getElementById(id).append(li); };
  const es = new EventSource('/test/sse');
  es.onopen = () => add('sse', '(open)');
  es.onmessage = (e) => add('sse', e.data);
  const ws = new WebSocket('ws://' + location.host + '/test/websocket');
  ws.onopen = () => add('ws', '(open)');
  ws.onmessage = (e) => add('ws', e.data);
  ws.onclose = (e) => add('ws', '(closed ' + e.code + ')');
  document.getElementById('send').onclick = () => ws.send(document.getElementById('text').value);
  document.getElementById('publish').onclick = () => fetch('/publish?text=' + encodeURIComponent('hello at ' + new Date().toLocaleTimeString()), { method: 'POST' });
</script>
`;

server.listen(port, '127.0.0.1', () => console.log(`origin listening on http://127.0.0.1:${port}/`));
