/// <reference types="@fastly/js-compute" />
// Light handler: a fixed text response.
addEventListener('fetch', (event) => {
  event.respondWith(new Response('hello', { status: 200, headers: { 'content-type': 'text/plain' } }));
});
