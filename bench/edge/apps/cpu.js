/// <reference types="@fastly/js-compute" />
// CPU-heavy handlers: /fib runs fib(20) recursively; /json stringifies and parses 1000 objects.
function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

function json() {
  const items = [];
  for (let i = 0; i < 1000; i++) {
    items.push({ id: i, name: 'item-' + i, tags: ['a', 'b'], price: i * 1.5, active: i % 2 === 0 });
  }
  const text = JSON.stringify(items);
  return JSON.parse(text).length + ' ' + text.length;
}

addEventListener('fetch', (event) => {
  const path = new URL(event.request.url).pathname;
  let body;
  if (path === '/fib') {
    body = String(fib(20));
  } else if (path === '/json') {
    body = json();
  } else {
    body = 'try /fib or /json';
  }
  event.respondWith(new Response(body, { status: 200, headers: { 'content-type': 'text/plain' } }));
});
