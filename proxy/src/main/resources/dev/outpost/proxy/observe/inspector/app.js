// The inspector page: a snapshot over the JSON API, then one coalesced batch per tick over Server-Sent Events.
(() => {
  'use strict';
  const $ = (s) => document.querySelector(s);
  const PAGE = 50, MAX_LOG = 400;
  const state = { offset: 0, q: '', kind: '', connDirty: true, pubDirty: true, detail: null, lastRefresh: 0 };

  const esc = (v) => String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const time = (t) => new Date(t).toLocaleTimeString([], { hour12: false }) + '.' + String(t % 1000).padStart(3, '0');
  const get = (url) => fetch(url, { cache: 'no-store' }).then((r) => (r.ok ? r.json() : null));
  const chans = (list) => (list || []).map((c) => `<span class="chan">${esc(c)}</span>`).join('');
  const meta = (m) => Object.entries(m || {}).map(([k, v]) => `${esc(k)}=${esc(v)}`).join(' ');

  // no_format is no loss: the item was not meant for that kind of connection (shown, but not as a drop)
  const lost = (dropped) => Object.entries(dropped || {}).filter(([k]) => k !== 'no_format');
  const outcomeClass = (o, reason) => (o === 'delivered' || o === 'acted' ? 'ok' : o === 'pending' ? 'warn'
    : reason === 'no_format' ? 'muted' : 'bad');

  function tiles(s) {
    if (!s) return;
    const dropped = lost(s.dropped).reduce((a, [, v]) => a + v, 0);
    const t = [
      ['connections', s.connections], ['long-poll', s.byKind['long-poll']], ['stream', s.byKind.stream],
      ['ws', s.byKind.ws], ['plain http', s.byKind.http], ['subscriptions', s.subscriptions], ['channels', s.channels],
      ['publishes', s.publishes], ['delivered', s.delivered], ['not delivered', dropped],
    ];
    if (s.edgeRequests) t.push(['edge requests', s.edgeRequests], ['handoffs', s.edgeHandoffs]);
    if (s.bus) {
      t.push(['bus', s.bus.connected ? 'connected' : 'cut off'], ['bus in', s.bus.messagesIn], ['bus out', s.bus.messagesOut],
        ['bus lag ms', Math.round(s.bus.lagMillis)], ['bus queued', s.bus.queued], ['bus 503s', s.bus.publishFailures]);
    }
    $('#tiles').innerHTML = t.map(([k, v]) => `<div class="tile" data-tile="${esc(k)}"><b>${esc(v)}</b><span>${esc(k)}</span></div>`).join('');
  }

  async function loadConnections() {
    const u = `api/connections?offset=${state.offset}&limit=${PAGE}&q=${encodeURIComponent(state.q)}&kind=${encodeURIComponent(state.kind)}`;
    const r = await get(u);
    if (!r) return;
    $('#conn-total').textContent = `(${r.total})`;
    $('#conn-page').textContent = r.total ? `${r.offset + 1}–${r.offset + r.items.length} of ${r.total}` : 'none';
    $('#conn-table tbody').innerHTML = r.items.map((c) => `<tr data-conn="${esc(c.id)}">
      <td class="mono">${esc(c.id)}</td><td><span class="kind ${esc(c.kind)}">${esc(c.kind)}</span></td>
      <td>${chans(c.channels)}</td><td class="mono req" title="${esc(c.request)}">${esc(c.request)}</td>
      <td class="mono">${meta(c.meta)}</td><td class="ok">${c.delivered}</td><td class="${c.dropped ? 'bad' : ''}">${c.dropped}</td></tr>`).join('');
  }

  function reach(p) {
    const dropped = lost(p.dropped).map(([k, v]) => `${esc(k.replace(/_/g, ' '))} ${v}`).join(', ');
    const noFormat = (p.dropped || {}).no_format;
    // a hint, refresh or close carries no content: say what it did, not how many it "reached"
    const head = p.action && p.action !== 'send'
      ? `<span class="ok">${esc(p.action)}: carried out by ${p.acted}</span> of ${p.subscribers}`
      : `<span class="ok">reached ${p.delivered}</span> of ${p.subscribers}`;
    return head + (dropped ? ` · <span class="bad">${dropped}</span>` : '')
      + (noFormat ? ` · <span class="muted">not for ${noFormat} (no format they take)</span>` : '');
  }

  const formats = (p) => ['http-response', 'http-stream', 'ws-message'].filter((f) => p[f]);

  async function loadPublishes() {
    const r = await get('api/publishes?limit=40');
    if (!r) return;
    $('#pub-list').innerHTML = r.map((p) => `<li data-pub="${p.seq}"><b>#${p.seq}</b> <span class="chan">${esc(p.channel)}</span>
      ${p.id ? `id <code>${esc(p.id)}</code>` : ''} <span class="muted">${formats(p).join('+')}</span> — ${reach(p)}
      <span class="muted">${time(p.t)}</span></li>`).join('');
  }

  function eventLine(e) {
    const who = e.conn ? ` <a href="#" data-conn="${esc(e.conn)}" class="mono">${esc(e.conn)}</a>` : '';
    const ch = e.channel ? ` <span class="chan">${esc(e.channel)}</span>` : '';
    const pub = e.pub ? ` <a href="#" data-pub="${e.pub}">#${e.pub}</a>` : '';
    return `<li class="ev-${esc(e.type)}"><span class="t">${time(e.t)}</span><span class="ty">${esc(e.type)}</span>${who}${ch}${pub} ${esc(e.text)}</li>`;
  }

  let lastSeq = 0;
  function appendEvents(list) {
    // the snapshot and the first feed batch may overlap
    list = list.filter((e) => !e.seq || e.seq > lastSeq);
    for (const e of list) if (e.seq) lastSeq = Math.max(lastSeq, e.seq);
    if ($('#ev-pause').checked || !list.length) return;
    const log = $('#event-log');
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.insertAdjacentHTML('beforeend', list.map(eventLine).join(''));
    while (log.children.length > MAX_LOG) log.firstElementChild.remove();
    if (atBottom) log.scrollTop = log.scrollHeight;
  }

  async function showConnection(id) {
    state.detail = { conn: id };
    const c = await get(`api/connections/${encodeURIComponent(id)}`);
    if (!c) return;
    $('#detail-title').textContent = `Connection ${c.id}`;
    const hist = c.history.map((h) => `<tr><td>${h.pub ? `#${h.pub}` : ''}</td><td>${esc(h.id)}</td><td><span class="chan">${esc(h.channel)}</span></td>
      <td class="${outcomeClass(h.outcome, h.reason)}">${esc(h.outcome)}${h.reason ? ': ' + esc(h.reason.replace(/_/g, ' ')) : ''}</td><td class="muted">${time(h.t)}</td></tr>`).join('');
    $('#detail-body').innerHTML = `
      <dl class="kv"><dt>kind</dt><dd><span class="kind ${esc(c.kind)}">${esc(c.kind)}</span>${c.closed ? ' <span class="bad">closed</span>' : ''}</dd>
      <dt>peer</dt><dd>${esc(c.peer)}</dd><dt>opened</dt><dd>${time(c.opened)}</dd>
      <dt>request</dt><dd class="mono">${esc(c.request)}</dd>
      <dt>origin</dt><dd>${c.target ? `${esc(c.target)} → ${esc(c.originStatus)}` : ''} ${c.route ? `(route ${esc(c.route)})` : ''}</dd>
      <dt>hold</dt><dd>${esc(c.holdMode || (c.lastHoldEnd ? 'ended: ' + c.lastHoldEnd : '—'))}</dd>
      <dt>channels</dt><dd>${chans(c.channels) || '—'}</dd><dt>meta</dt><dd class="mono">${meta(c.meta) || '—'}</dd>
      <dt>sent / not</dt><dd><span class="ok">${c.delivered}</span> / <span class="bad">${c.dropped}</span> · keep-alives ${c.keepAlives}</dd></dl>
      ${c.instruct ? `<h3>GRIP instruction</h3><pre>${esc(JSON.stringify(c.instruct, null, 2))}</pre>` : ''}
      <div class="explain"><b>Why did it not get a message?</b><br>
        <input id="explain-key" placeholder="item id or #publish"> <button id="explain-go">explain</button>
        <div id="explain-out"></div></div>
      <h3>Recent publishes on its channels</h3>
      <table class="hist"><thead><tr><th>pub</th><th>item id</th><th>channel</th><th>outcome</th><th>at</th></tr></thead><tbody>${hist || '<tr><td colspan="5" class="muted">none yet</td></tr>'}</tbody></table>`;
    $('#detail').hidden = false;
    $('#explain-go').onclick = () => explain(c.id, $('#explain-key').value.trim().replace(/^#/, ''));
  }

  async function explain(conn, key) {
    if (!key) return;
    const r = await get(`api/explain?conn=${encodeURIComponent(conn)}&pub=${encodeURIComponent(key)}`);
    $('#explain-out').innerHTML = r
      ? `<p><span class="verdict ${r.verdict === 'delivered' ? 'ok' : 'bad'}">${esc(r.verdict)}</span> (publish #${r.pub}): ${esc(r.why)}</p>`
      : '<p class="muted">No such publish among the recent ones.</p>';
  }

  async function showPublish(seq) {
    state.detail = { pub: seq };
    const p = await get(`api/publishes/${seq}`);
    if (!p) return;
    $('#detail-title').textContent = `Publish #${p.seq} on ${p.channel}`;
    const fm = formats(p).map((f) => `<h3>${f}</h3><pre>${esc(JSON.stringify(p[f], null, 2))}</pre>`).join('');
    const rows = p.outcomes.map((o) => `<tr>${o.conn ? `<td><a href="#" data-conn="${esc(o.conn)}" class="mono">${esc(o.conn)}</a></td>` : '<td class="muted">—</td>'}
      <td class="${outcomeClass(o.outcome, o.reason)}">${esc(o.outcome)}${o.reason ? ': ' + esc(o.reason.replace(/_/g, ' ')) : ''}</td></tr>`).join('');
    $('#detail-body').innerHTML = `<dl class="kv"><dt>item id</dt><dd>${esc(p.id) || '—'}</dd><dt>prev-id</dt><dd>${esc(p.prevId) || '—'}</dd>
      <dt>at</dt><dd>${time(p.t)}</dd><dt>outcome</dt><dd>${reach(p)}</dd></dl>${fm}
      <h3>Connections</h3><table><thead><tr><th>connection</th><th>outcome</th></tr></thead><tbody>${rows}</tbody></table>
      ${p.moreOutcomes ? `<p class="muted">and ${p.moreOutcomes} more</p>` : ''}`;
    $('#detail').hidden = false;
  }

  document.addEventListener('click', (ev) => {
    const a = ev.target.closest('[data-conn],[data-pub]');
    if (!a || a.closest('#tiles')) return;
    ev.preventDefault();
    if (a.dataset.conn) showConnection(a.dataset.conn); else showPublish(a.dataset.pub);
  });
  $('#detail-close').onclick = () => { $('#detail').hidden = true; state.detail = null; };
  let filterTimer;
  $('#conn-filter').oninput = (e) => { clearTimeout(filterTimer); filterTimer = setTimeout(() => { state.q = e.target.value; state.offset = 0; loadConnections(); }, 200); };
  $('#conn-kind').onchange = (e) => { state.kind = e.target.value; state.offset = 0; loadConnections(); };
  $('#conn-prev').onclick = () => { state.offset = Math.max(0, state.offset - PAGE); loadConnections(); };
  $('#conn-next').onclick = () => { state.offset += PAGE; loadConnections(); };

  // Tables are re-read at most once a second, whatever the event rate.
  setInterval(() => {
    if (state.connDirty) { state.connDirty = false; loadConnections(); }
    if (state.pubDirty) { state.pubDirty = false; loadPublishes(); }
  }, 1000);

  function onBatch(b) {
    tiles(b.summary);
    let list = b.events;
    if (!$('#ev-ka').checked) list = list.filter((e) => e.type !== 'keepalive');
    if (b.keepAlives && $('#ev-ka').checked) {
      list = list.concat([{ t: b.t, type: 'keepalive', text: `${b.keepAlives.count} sent (${b.keepAlives.sample.join(', ')}${b.keepAlives.count > b.keepAlives.sample.length ? ', …' : ''})` }]);
    }
    appendEvents(list);
    $('#ev-note').textContent = b.skipped ? `${b.skipped} events not shown (too many at once)` : '';
    for (const e of b.events) {
      if (e.type === 'publish' || e.type === 'deliver' || e.type === 'drop' || e.type === 'act') state.pubDirty = true;
      if (e.type !== 'publish') state.connDirty = true;
      if (state.detail && state.detail.conn && e.conn === state.detail.conn) showConnection(state.detail.conn);
    }
  }

  function connect() {
    const es = new EventSource('api/feed');
    es.onopen = () => { $('#live').textContent = 'live'; $('#live').className = 'live on'; };
    es.onerror = () => { $('#live').textContent = 'reconnecting…'; $('#live').className = 'live off'; };
    es.addEventListener('batch', (m) => onBatch(JSON.parse(m.data)));
  }

  (async () => {
    tiles(await get('api/summary'));
    appendEvents((await get('api/events?limit=200')) || []);
    await Promise.all([loadConnections(), loadPublishes()]);
    state.connDirty = state.pubDirty = false;
    connect();
  })();
})();
