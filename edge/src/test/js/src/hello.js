/// <reference types="@fastly/js-compute" />
// The smallest app: a fixed text response.
addEventListener('fetch', (event) => {
  event.respondWith(new Response('hello', { status: 200, headers: { 'content-type': 'text/plain' } }));
});
