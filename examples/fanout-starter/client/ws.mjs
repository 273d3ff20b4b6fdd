// A WebSocket client for the example: connects, sends each line typed (or piped) on standard input, and prints what
// arrives (the app echoes what it gets and relays what is published to channel 'test').
// Usage: node --experimental-websocket client/ws.mjs [URL]   (default ws://127.0.0.1:7676/test/websocket)
// Node.js 22 and newer have WebSocket built in; Node.js 20 needs the flag above.
import { createInterface } from 'node:readline';

if (typeof WebSocket === 'undefined') {
  console.error('This Node.js has no WebSocket: run it with --experimental-websocket (Node.js 20) or use Node.js 22+.');
  process.exit(2);
}
const url = process.argv[2] ?? 'ws://127.0.0.1:7676/test/websocket';
const ws = new WebSocket(url);
const lines = createInterface({ input: process.stdin });
ws.addEventListener('open', () => {
  console.log(`connected to ${url}; type a line to send it, Ctrl-D to close`);
  lines.on('line', (line) => ws.send(line));
  lines.on('close', () => ws.close());
});
ws.addEventListener('message', (event) => console.log(`< ${event.data}`));
ws.addEventListener('close', (event) => {
  console.log(`closed (${event.code})`);
  process.exit(0);
});
ws.addEventListener('error', () => {
  console.error(`cannot connect to ${url} (is \`./outpost serve examples/fanout-starter\` running?)`);
  process.exit(1);
});
