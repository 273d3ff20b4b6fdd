/// <reference types="@fastly/js-compute" />
// A reusable sandbox: one instance serves many requests and keeps its module state between them.
import { setReusableSandboxOptions } from 'fastly:experimental';

setReusableSandboxOptions({ maxRequests: 0, betweenRequestTimeoutMs: 2000 });

let served = 0;

addEventListener('fetch', (event) => {
  served++;
  const path = new URL(event.request.url).pathname;
  event.respondWith(new Response(`${path} served=${served}`));
});
