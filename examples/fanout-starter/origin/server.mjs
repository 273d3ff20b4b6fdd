// The example's origin: a plain HTTP server the Compute app hands other paths to (backend 'origin' in fastly.toml).
//   GET /hello             a short text, also fetched by the app at /edge/fetch
//   POST /publish?text=..  publishes the text to channel 'test' (all formats) through the proxy's publish API
//   anything else          a page describing the example
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
        'http-stream': { content: `${text}\n` },
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
  res.writeHead(200, { 'content-type': 'text/plain' }).end(
    `This is the example's origin (${req.method} ${url.pathname}).\n`
      + 'Try GET /test/stream on the edge, then POST /publish?text=hi here.\n');
});

server.listen(port, '127.0.0.1', () => console.log(`origin listening on http://127.0.0.1:${port}/`));
