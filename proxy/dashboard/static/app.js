// claude-fallback dashboard: plain browser JavaScript, no dependencies. Everything that comes from the
// repository or the models (commit messages, diffs, names) goes in as text, never as HTML.
'use strict';

const API = '/_dashboard/api/';
const SESSION = document.querySelector('meta[name="dashboard-session"]').content;

const $ = (id) => document.getElementById(id);

/** Builds an element; strings and numbers become text nodes. */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = v;
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'style')
      Object.assign(el.style, v); // CSSOM: the page's CSP allows no style attributes
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

async function getJson(name, params) {
  const q = params ? '?' + new URLSearchParams(params) : '';
  const r = await fetch(API + name + q, { headers: { accept: 'application/json' } });
  const body = await r.json().catch(() => ({ error: { message: `HTTP ${r.status}` } }));
  if (!r.ok && !('ok' in body)) throw new Error(body?.error?.message || `HTTP ${r.status}`);
  return body;
}

async function postJson(name, value) {
  const r = await fetch(API + name, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-dashboard-session': SESSION },
    body: JSON.stringify(value),
  });
  return r.json().catch(() => ({ ok: false, error: { message: `HTTP ${r.status}` } }));
}

// ---- formatting --------------------------------------------------------------------------------------

const REASONS = {
  start: 'proxy started',
  rate_limit: 'rate limit',
  overloaded: 'overloaded',
  server_error: 'server error',
  timeout: 'timed out',
  network: 'network error',
  billing: 'billing / spend limit',
  refused: 'refused requests',
  budget: 'spend budget reached',
  quota: 'subscription window nearly spent',
  recovered: 'recovered',
  manual: 'manual',
  external: 'external monitor',
  switching: 'switch being recorded',
  stop: 'proxy stopped',
};
const reason = (r) => REASONS[r] || r;
const int = (n) => (n === null || n === undefined ? 'unknown' : Math.round(n).toLocaleString('en-US'));
function compact(n) {
  if (n === null || n === undefined) return 'unknown';
  if (n >= 1e9) return (n / 1e9).toFixed(1) + 'G';
  if (n >= 1e6) return (n / 1e6).toFixed(1) + 'M';
  if (n >= 1e4) return (n / 1e3).toFixed(1) + 'k';
  return String(Math.round(n));
}
const plural = (n, word) => `${int(n)} ${word}${n === 1 ? '' : 's'}`;
/** ` · cache saved $x` when cache reads saved anything (or "unpriced" when they could not be priced). */
const saved = (u) => (u.cache_savings_usd === 0 ? '' : ` · cache saved ${usd(u.cache_savings_usd)}`);
const usd = (n) => (n === null || n === undefined ? 'unpriced' : n === 0 ? '$0' : n < 1 ? '$' + n.toFixed(4) : '$' + n.toFixed(2));
function duration(ms) {
  if (ms === null || ms === undefined) return '–';
  const s = Math.max(0, Math.round(ms / 1000));
  const d = Math.floor(s / 86400);
  const hh = Math.floor((s % 86400) / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  if (d > 0) return `${d}d ${hh}h`;
  if (hh > 0) return `${hh}h ${String(mm).padStart(2, '0')}m`;
  if (mm > 0) return `${mm}m ${String(ss).padStart(2, '0')}s`;
  return `${ss}s`;
}
/** Like duration, but with seconds below a day, so that a countdown visibly runs. */
function countdown(ms) {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s >= 86400) return duration(ms);
  const hh = Math.floor(s / 3600);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  const ss = String(s % 60).padStart(2, '0');
  return hh > 0 ? `${hh}h ${mm}m ${ss}s` : `${Number(mm)}m ${ss}s`;
}
/**
 * Local times on a 24-hour clock, as the CLI prints them (proxy/cli/format.ts `when`): `14:05` today,
 * `Dec 3 14:05` another day; `clock` adds the seconds.
 */
function localTime(iso, seconds) {
  if (!iso) return '–';
  const d = new Date(iso);
  const two = (n) => String(n).padStart(2, '0');
  const hm = `${two(d.getHours())}:${two(d.getMinutes())}${seconds ? ':' + two(d.getSeconds()) : ''}`;
  return new Date(serverNow()).toDateString() === d.toDateString()
    ? hm
    : `${d.toLocaleString('en-US', { month: 'short' })} ${d.getDate()} ${hm}`;
}
const clock = (iso) => localTime(iso, true);
const shortTime = (iso) => localTime(iso, false);

// ---- model marks: colour + pattern + name -----------------------------------------------------------

// Slots as proxy/model-colors.ts gives them (config order, then first seen), over the palette it defines.
const slots = new Map();
const paletteSize = Number(getComputedStyle(document.documentElement).getPropertyValue('--model-count')) || 8;
function slot(model) {
  if (model === null || model === undefined) return null;
  if (!slots.has(model)) slots.set(model, slots.size % paletteSize);
  return slots.get(model);
}
function learnOrder(names) {
  for (const n of names) slot(n);
}
function mark(model) {
  const s = slot(model);
  return h('span', { class: 'model' }, h('span', { class: `swatch m${s}`, 'aria-hidden': 'true' }), model ?? '(no model)');
}

// ---- server time and countdowns ---------------------------------------------------------------------

let skew = 0; // server clock minus ours
const serverNow = () => Date.now() + skew;
function tickCountdowns() {
  for (const el of document.querySelectorAll('[data-until]')) {
    const left = Date.parse(el.dataset.until) - serverNow();
    el.textContent = left > 0 ? `back in ${countdown(left)}` : 'due back now';
  }
  for (const el of document.querySelectorAll('[data-since]')) el.textContent = duration(serverNow() - Date.parse(el.dataset.since));
  // A subscription window whose reset time goes by is shown again, as passed.
  if (lastNow && [...document.querySelectorAll('[data-reset]')].some((el) => Date.parse(el.dataset.reset) <= serverNow()))
    renderLimits(lastNow);
}
setInterval(tickCountdowns, 1000);

// ---- Now ---------------------------------------------------------------------------------------------

let lastNow = null;
function renderNow(now) {
  lastNow = now;
  learnOrder(now.tiers.map((t) => t.name));
  $('repo').textContent = now.repo;
  const a = now.active;
  const tier = $('active-tier');
  tier.replaceChildren(mark(a.tier));
  tier.dataset.tier = a.tier;
  const why = [h('span', {}, 'since ', clock(a.since), ' (', h('span', { 'data-since': a.since }), ')')];
  if (a.reason !== 'start') {
    why.push(' · ', reason(a.reason));
    if (a.status) why.push(` (${a.status})`);
    if (a.from) why.push(' from ', a.from);
  }
  $('active-why').replaceChildren(...why);
  $('inflight').textContent = String(now.in_flight);

  const rows = now.tiers.map((t) => {
    const state =
      t.state === 'active'
        ? h('span', { class: 'state active' }, '▶ active')
        : t.state === 'cooling'
          ? h('span', { class: 'state cooling' }, '‖ cooling down')
          : h('span', { class: 'state ready' }, '✓ ready');
    const cd = t.cooldown_until ? h('div', { class: 'countdown', 'data-until': t.cooldown_until, 'data-tier': t.name }) : null;
    const until = t.cooldown_until ? h('div', { class: 'muted' }, 'until ', clock(t.cooldown_until)) : null;
    const f = t.last_failure;
    return h(
      'tr',
      { 'data-tier': t.name, 'data-state': t.state },
      h('td', {}, mark(t.name), h('div', { class: 'muted' }, t.protocol, t.model ? ` · ${t.model}` : ''), budgetLine(now, t.name)),
      h('td', {}, state, cd, until),
      h('td', { class: 'num' }, int(t.requests), h('div', { class: 'muted' }, `${int(t.ok)} ok · ${int(t.failures)} failed`)),
      h('td', {}, f ? `${reason(f.reason)}${f.status ? ` (${f.status})` : ''}, ${shortTime(f.at)}` : '–'),
    );
  });
  for (const s of now.skipped) {
    rows.push(
      h(
        'tr',
        { 'data-tier': s.name, 'data-state': 'skipped' },
        h('td', {}, s.name),
        h('td', {}, h('span', { class: 'state skipped' }, '– skipped')),
        h('td', {}),
        h('td', {}, s.reason),
      ),
    );
  }
  $('tiers').replaceChildren(...rows);
  renderLimits(now);
  tickCountdowns();
}

const passed = (iso) => Boolean(iso) && Date.parse(iso) <= serverNow();

/**
 * Claude's subscription windows as the proxy last saw them. A reset time that has gone by is not current: the
 * figures seen before it are kept but marked as from before the reset (Claude has not answered since).
 */
/** A budgeted tier's spend this UTC period: `budget $0.30 of $5.00 a day`, and when it is reached, until when. */
function budgetLine(now, tier) {
  const b = (now.budgets || []).find((x) => x.tier === tier);
  if (!b) return null;
  const unpriced = b.unpriced.length ? `, unpriced usage not counted` : '';
  const text = `budget ${usd(b.spent)} of ${usd(b.amount)} a ${b.per} (UTC)${b.reached ? `, reached until ${clock(b.period_end)}` : ''}${unpriced}`;
  return h('div', { class: b.reached ? 'budget reached' : 'muted budget', 'data-budget': b.tier }, text);
}

function renderLimits(now) {
  const limits = now.limits || [];
  $('limits').hidden = limits.length === 0;
  $('limits-body').replaceChildren(
    ...limits.map((l) => {
      const over = passed(l.resets_at);
      return h(
        'div',
        { class: 'limit', 'data-tier': l.tier },
        h(
          'p',
          { class: 'muted' },
          `${l.tier}: ${over ? `${l.status ?? 'status unknown'} until the reset at ${shortTime(l.resets_at)}, which has passed` : (l.status ?? 'status unknown')}`,
          l.representative_claim && !over ? ` · decided by the ${l.representative_claim.replace('_', '-')} window` : '',
          ` · as of ${shortTime(l.at)}`,
        ),
        meter('5 hours', l.five_hour),
        meter('7 days', l.seven_day),
        !l.five_hour && !l.seven_day && l.resets_at
          ? h(
              'p',
              over ? {} : { 'data-reset': l.resets_at },
              over ? `reset passed at ${clock(l.resets_at)}` : `resets ${clock(l.resets_at)}`,
            )
          : null,
      );
    }),
  );
}

function meter(label, w) {
  if (!w) return null;
  const over = passed(w.resets_at);
  const pct = w.utilization === null ? null : Math.round(w.utilization * 100);
  const used = over ? `${pct === null ? '?' : pct + '%'} used before the reset` : `${pct === null ? '?' : pct + '%'} used`;
  return h(
    'div',
    { class: `meter${over ? ' passed' : ''}` },
    h('span', {}, label),
    h(
      'div',
      {
        class: `bar${pct !== null && pct >= 80 && !over ? ' high' : ''}`,
        role: 'img',
        'aria-label': `${label}: ${pct === null ? 'unknown' : pct + '%'} ${over ? 'used before the reset' : 'used'}`,
      },
      h('span', { style: { width: `${over ? 0 : Math.min(100, pct ?? 0)}%` } }),
    ),
    h(
      'span',
      w.resets_at && !over ? { 'data-reset': w.resets_at } : {},
      used,
      w.resets_at ? (over ? ` · reset passed at ${shortTime(w.resets_at)}` : ` · resets ${shortTime(w.resets_at)}`) : '',
      w.status && !over ? ` · ${w.status}` : '',
    ),
  );
}

// ---- Usage and the switch timeline ------------------------------------------------------------------

let range = 'today';
function windowOf(r) {
  const now = new Date(serverNow());
  if (r === 'all') return {};
  if (r === 'today') return { since: new Date(now.getFullYear(), now.getMonth(), now.getDate()).getTime() };
  const days = r === '7d' ? 7 : 30;
  return { since: now.getTime() - days * 86400_000 };
}

async function loadUsage() {
  const w = windowOf(range);
  const u = await getJson('usage', w.since === undefined ? null : { since: String(w.since) });
  renderUsage(u, w);
}

function renderUsage(u, w) {
  const models = u.costs.by_model;
  learnOrder(models.map((m) => m.model));
  const max = Math.max(1, ...models.map((m) => m.input_tokens + m.output_tokens + m.cache_read_tokens + m.cache_write_tokens));
  const chart = $('usage-chart');
  if (models.length === 0) chart.replaceChildren(h('p', { class: 'muted' }, 'No requests in this range.'));
  else {
    chart.replaceChildren(
      ...models.map((m) => {
        const s = slot(m.model);
        const seg = (cls, n, what) =>
          n > 0 ? h('span', { class: `seg ${cls} m${s}`, style: { width: `${(100 * n) / max}%` }, title: `${what}: ${int(n)}` }) : null;
        return h(
          'div',
          { class: 'row', 'data-model': m.model },
          mark(m.model),
          h(
            'div',
            {
              class: 'track',
              role: 'img',
              'aria-label': `${m.model}: ${int(m.input_tokens)} tokens in, ${int(m.output_tokens)} out, ${int(m.cache_read_tokens)} cache read`,
            },
            seg('in', m.input_tokens + m.cache_write_tokens, 'input (with cache writes)'),
            seg('out', m.output_tokens, 'output'),
            seg('cache', m.cache_read_tokens, 'cache reads'),
          ),
          h(
            'div',
            { class: 'figures' },
            `${plural(m.requests, 'request')} · in ${compact(m.input_tokens)} · out ${compact(m.output_tokens)} · cache ${compact(m.cache_read_tokens)} read, ${compact(m.cache_write_tokens)} written · ${usd(m.cost_usd)}${saved(m)}`,
          ),
        );
      }),
      h(
        'p',
        { class: 'total' },
        h('strong', {}, 'Total: '),
        `${plural(u.costs.total.requests, 'request')} · ${compact(u.costs.total.input_tokens)} in · ${compact(u.costs.total.output_tokens)} out · ${usd(u.costs.total.cost_usd)}${saved(u.costs.total)}`,
      ),
      // Per UTC day, newest first: the cost, the cache savings, and each model's cost.
      h(
        'ul',
        { class: 'days', id: 'usage-days' },
        ...[...u.costs.by_day]
          .reverse()
          .map((d) =>
            h(
              'li',
              { 'data-day': d.day },
              `${d.day}: ${usd(d.cost_usd)}${saved(d)} · ${d.models.map((m) => `${m.model} ${usd(m.cost_usd)}`).join(', ')}`,
            ),
          ),
      ),
      u.unpriced_note ? h('p', { class: 'muted', id: 'usage-unpriced' }, u.unpriced_note) : null,
    );
  }
  $('usage-legend').replaceChildren(
    'Bars: ',
    h('span', { class: 'key' }),
    'input',
    h('span', { class: 'key out' }),
    'output',
    h('span', { class: 'key cache' }),
    'cache reads; each model has its own colour and pattern.',
  );
  renderBands(u.timeline, w);
}

function renderBands(t, w) {
  const entries = t.entries;
  const end = serverNow();
  // The axis spans the activity in the range: from its first line (or the range's start when a run was
  // already going then) to now, so that minutes-long runs stay visible on a day's axis.
  let start;
  if (entries.length) start = entries[0].from === null || w.since === undefined ? Date.parse(entries[0].ts) : w.since;
  else if (t.active) start = Math.max(w.since ?? -Infinity, Date.parse(t.active.since));
  else start = w.since ?? end - 3600_000;
  const span = Math.max(1, end - start);
  const runs = [];
  let model = entries.length ? entries[0].from : t.active ? t.active.model : null;
  let from = start;
  for (const e of entries) {
    const ts = Date.parse(e.ts);
    if (model) runs.push({ model, from, to: ts });
    model = e.to;
    from = ts;
  }
  if (model && t.active) runs.push({ model, from, to: end });
  const bands = $('bands');
  bands.setAttribute('role', 'img');
  bands.setAttribute(
    'aria-label',
    runs.length
      ? runs.map((r) => `${r.model} ${shortTime(new Date(r.from).toISOString())} to ${shortTime(new Date(r.to).toISOString())}`).join('; ')
      : 'no model ran in this range',
  );
  bands.replaceChildren(
    ...runs
      .filter((r) => r.to > start)
      .map((r) => {
        const left = (100 * (Math.max(r.from, start) - start)) / span;
        const width = Math.max(0.3, (100 * (r.to - Math.max(r.from, start))) / span);
        return h(
          'div',
          {
            class: `band m${slot(r.model)}`,
            style: { left: `${left}%`, width: `${width}%` },
            title: `${r.model}: ${duration(r.to - r.from)}`,
          },
          h('span', { class: 'band-label' }, r.model),
        );
      }),
  );
  // A name that does not fit its band is hidden rather than cut ("Clau"); the legend below names every model.
  for (const label of bands.querySelectorAll('.band-label'))
    label.hidden = label.offsetLeft + label.offsetWidth > label.parentElement.clientWidth;
  const ran = new Map();
  for (const r of runs.filter((x) => x.to > start)) ran.set(r.model, (ran.get(r.model) ?? 0) + r.to - Math.max(r.from, start));
  $('bands-legend').replaceChildren(...[...ran].map(([m, ms]) => h('span', { class: 'item' }, mark(m), ' ', duration(ms))));
  const tick = span < 2 * 3600_000 ? clock : shortTime;
  $('axis').replaceChildren(
    h('span', {}, tick(new Date(start).toISOString())),
    h('span', {}, tick(new Date(start + span / 2).toISOString())),
    h('span', {}, 'now'),
  );

  const rows = groupRuns(entries)
    .slice(-50)
    .reverse()
    .map((g) => (g.kind === 'runs' ? runsRow(g) : switchRow(g.entry)));
  $('switches').replaceChildren(
    ...(rows.length ? rows : [h('tr', {}, h('td', { colspan: '4', class: 'muted' }, 'No switches in this range.'))]),
  );
}

/**
 * The switches, with each stretch of proxy starts and stops between two switches folded into one row: a start
 * or a stop is not a switch, and a day of restarts must not bury the switches.
 */
function groupRuns(entries) {
  const out = [];
  for (const e of entries) {
    if (e.kind === 'switch') out.push({ kind: 'switch', entry: e });
    else {
      const last = out[out.length - 1];
      if (last && last.kind === 'runs') last.entries.push(e);
      else out.push({ kind: 'runs', entries: [e] });
    }
  }
  return out;
}

function switchRow(e) {
  return h(
    'tr',
    { 'data-kind': 'switch' },
    h('td', { class: 'when' }, clock(e.ts)),
    h('td', {}, e.from ? mark(e.from) : '–', ' → ', e.to ? mark(e.to) : 'stopped'),
    h('td', {}, reason(e.reason), e.status ? ` (${e.status})` : ''),
    h('td', {}, e.ran_ms === null ? '–' : duration(e.ran_ms)),
  );
}

function runsRow(g) {
  const es = g.entries;
  const count = (k, r) => es.filter((e) => e.kind === k && (r === undefined || e.reason === r)).length;
  const starts = count('start');
  const stops = count('stop') - count('stop', 'died');
  const died = count('stop', 'died');
  const what = [starts && `started ${starts}×`, stops && `stopped ${stops}×`, died && `ended without a stop line ${died}×`]
    .filter(Boolean)
    .join(', ');
  const models = [...new Set(es.map((e) => e.to ?? e.from).filter(Boolean))];
  const first = es[0].ts;
  const last = es[es.length - 1].ts;
  return h(
    'tr',
    { 'data-kind': 'runs', class: 'runs' },
    h('td', { class: 'when' }, clock(first), first === last ? '' : ` – ${clock(last)}`),
    h('td', {}, ...models.flatMap((m, i) => (i ? [', ', mark(m)] : [mark(m)]))),
    h('td', {}, `proxy ${what}`),
    h('td', {}, '–'),
  );
}

for (const b of document.querySelectorAll('.range button')) {
  b.addEventListener('click', () => {
    range = b.dataset.range;
    for (const o of document.querySelectorAll('.range button')) o.setAttribute('aria-pressed', String(o === b));
    loadUsage().catch(showError);
  });
}

// ---- Models: counts and the two actions --------------------------------------------------------------

let summary = null;
async function loadModels() {
  try {
    summary = await getJson('models');
    if (summary.ok === false) throw new Error(summary.error.message);
    renderModels(summary);
  } catch (err) {
    $('models-body').replaceChildren(h('p', { class: 'action-status', 'data-kind': 'error' }, err.message));
  }
}

function renderModels(s) {
  learnOrder(s.tier_order);
  const rows = s.analyze.rows.filter((r) => r.model !== null);
  if (rows.length === 0) return $('models-body').replaceChildren(h('p', { class: 'muted' }, 'No commit carries a Model: trailer yet.'));
  const table = h(
    'table',
    { 'aria-label': 'Work by model' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ...['model', 'pending', 'accepted', 'rolled back', 'runs', 'lines', ''].map((c, i) =>
          h('th', { scope: 'col', class: i > 0 && i < 6 ? 'num' : null }, c),
        ),
      ),
    ),
    h(
      'tbody',
      {},
      ...rows.map((r) =>
        h(
          'tr',
          { 'data-model': r.model },
          h('td', {}, mark(r.model), h('div', { class: 'muted' }, plural(r.commits, 'commit'))),
          h('td', { class: 'num' }, int(r.pending)),
          h('td', { class: 'num' }, int(r.accepted)),
          h('td', { class: 'num' }, int(r.rolled_back)),
          h('td', { class: 'num' }, int(r.runs)),
          h(
            'td',
            { class: 'num' },
            h('span', { class: 'add' }, `+${int(r.lines_added)}`),
            ' ',
            h('span', { class: 'del' }, `−${int(r.lines_removed)}`),
          ),
          h(
            'td',
            {},
            h(
              'div',
              { class: 'actions' },
              h(
                'button',
                { type: 'button', disabled: r.pending === 0, 'aria-label': `Accept ${r.model}'s work`, onclick: () => openAccept(r) },
                'Accept…',
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'danger',
                  disabled: r.pending === 0,
                  'aria-label': `Roll back ${r.model}'s work`,
                  onclick: () => openRollback(r),
                },
                'Roll back…',
              ),
            ),
          ),
        ),
      ),
    ),
  );
  $('models-body').replaceChildren(h('div', { class: 'scroll' }, table));
}

function status(kind, ...content) {
  const el = $('action-status');
  el.dataset.kind = kind;
  el.replaceChildren(...content);
}
function showError(err) {
  status('error', err.message || String(err));
}

const dialog = $('action-dialog');
let confirmAction = null;
for (const b of document.querySelectorAll('[data-close]')) b.addEventListener('click', () => b.closest('dialog').close());
$('action-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  if (confirmAction) confirmAction();
});

function openDialog(title, confirmText, body, onConfirm) {
  $('action-title').textContent = title;
  $('action-body').replaceChildren(...body);
  const btn = $('action-confirm');
  btn.textContent = confirmText;
  btn.disabled = !onConfirm;
  btn.hidden = !onConfirm;
  confirmAction = onConfirm;
  if (!dialog.open) dialog.showModal();
  (onConfirm ? btn : dialog.querySelector('[data-close]')).focus();
}

function resultBody(res) {
  if (!res.ok) {
    const e = res.error || {};
    return [
      h('p', { class: 'action-status', 'data-kind': 'error', id: 'action-error' }, e.message || 'failed'),
      e.test ? h('pre', { class: 'output' }, e.test.output_tail) : null,
    ];
  }
  return null;
}

function openAccept(row) {
  const test = summary?.test_command;
  const box = test ? h('input', { type: 'checkbox', id: 'run-test', checked: true }) : null;
  openDialog(
    `Accept ${row.model}'s work`,
    'Accept',
    [
      h(
        'p',
        {},
        `${int(row.pending)} pending commit${row.pending === 1 ? '' : 's'} of `,
        mark(row.model),
        ' become accepted: the run tags ',
        h('code', {}, `…${row.model}-*`),
        ' are renamed to ',
        h('code', {}, `accepted-${row.model}-*`),
        '.',
      ),
      test
        ? h('p', {}, box, ' ', h('label', { for: 'run-test' }, 'First run ', h('code', {}, test), ' and accept only when it passes'))
        : h('p', { class: 'muted' }, 'No test command is configured (review.test in .fallbackrc.yaml).'),
    ],
    async () => {
      const withTest = Boolean(box?.checked);
      $('action-confirm').disabled = true;
      $('action-body').append(h('p', { class: 'muted', id: 'action-progress' }, withTest ? `Running ${test}…` : 'Accepting…'));
      const res = await postJson('accept', { model: row.model, test: withTest });
      if (res.ok) {
        const r = res.result;
        dialog.close();
        status(
          'ok',
          `Accepted ${row.model}: ${r.commits.length} commit${r.commits.length === 1 ? '' : 's'}`,
          r.test ? ` after ${r.test.command} passed (exit ${r.test.exit_code})` : '',
          r.tags.length ? `; tags ${r.tags.map((t) => t.to).join(', ')}` : '',
          r.created_tag ? `; new tag ${r.created_tag}` : '',
        );
      } else openDialog(`Accept ${row.model}'s work: refused`, '', resultBody(res), null);
      refreshRepo();
    },
  );
}

async function openRollback(row) {
  openDialog(`Roll back ${row.model}'s work`, 'Roll back', [h('p', { class: 'muted' }, 'Asking for the dry run…')], null);
  const plan = await getJson('rollback-plan', { model: row.model }).catch((err) => ({ ok: false, error: { message: err.message } }));
  if (!plan.ok) return openDialog(`Roll back ${row.model}'s work`, '', resultBody(plan), null);
  const p = plan.result;
  if (p.commits.length === 0)
    return openDialog(
      `Roll back ${row.model}'s work`,
      '',
      [h('p', {}, 'Nothing to roll back: no pending commit of this model is reachable from HEAD.')],
      null,
    );
  openDialog(
    `Roll back ${row.model}'s work`,
    `Roll back ${p.commits.length} commit${p.commits.length === 1 ? '' : 's'}`,
    [
      h('p', {}, 'These commits are reverted, newest first, in one new commit:'),
      h(
        'ol',
        { class: 'plan', id: 'rollback-plan' },
        ...p.commits.map((c) => h('li', {}, h('span', { class: 'sha' }, c.sha.slice(0, 10)), ' ', c.subject)),
      ),
      p.tags.length ? h('p', {}, 'Tags renamed: ', p.tags.map((t) => `${t.from} → ${t.to}`).join(', ')) : null,
    ],
    async () => {
      $('action-confirm').disabled = true;
      const res = await postJson('rollback', { model: row.model, commits: p.commits.map((c) => c.sha) });
      if (res.ok) {
        dialog.close();
        status(
          'ok',
          `Rolled back ${row.model}: ${res.result.commits.length} commit${res.result.commits.length === 1 ? '' : 's'} reverted in ${String(res.result.revert_commit).slice(0, 10)}`,
        );
      } else openDialog(`Roll back ${row.model}'s work: refused`, '', resultBody(res), null);
      refreshRepo();
    },
  );
}

// ---- History ----------------------------------------------------------------------------------------

async function loadHistory() {
  const hist = await getJson('history');
  const list = hist.commits.map((c) => {
    const s = slot(c.model);
    const badges = [];
    if (c.status) badges.push(h('span', { class: `badge ${c.status}` }, c.status.replace('_', ' ')));
    if (c.auto_commit) badges.push(h('span', { class: 'badge auto' }, `auto-commit ${c.auto_commit}`));
    if (c.rollback_of) badges.push(h('span', { class: 'badge' }, `rollback of ${c.rollback_of}`));
    for (const t of c.tags) badges.push(h('span', { class: 'badge tag' }, t.name));
    return h(
      'li',
      { 'data-sha': c.sha, 'data-model': c.model ?? '' },
      h(
        'button',
        {
          type: 'button',
          class: 'commit',
          'aria-label': `${c.sha.slice(0, 10)} ${c.subject}, ${c.model ?? 'no model'}${c.status ? ', ' + c.status.replace('_', ' ') : ''}`,
          onclick: () => openCommit(c),
        },
        h('span', { class: `stripe${s === null ? '' : ' m' + s}`, 'aria-hidden': 'true' }),
        h('span', { class: 'sha' }, c.sha.slice(0, 10)),
        h('span', { class: 'who' }, c.model ? mark(c.model) : h('span', { class: 'muted' }, '(no model)')),
        h('span', { class: 'subject' }, c.subject),
        h('span', { class: 'badges' }, ...badges, h('span', { class: 'when' }, shortTime(c.date))),
      ),
    );
  });
  $('commits').replaceChildren(...(list.length ? list : [h('li', { class: 'muted' }, 'No commits yet.')]));
  $('history-note').textContent = hist.commits.length
    ? `(the last ${hist.commits.length} reachable from HEAD${hist.more ? '; older ones: review --show' : ''})`
    : '';
}

async function openCommit(c) {
  const d = $('commit-dialog');
  $('commit-title').textContent = `${c.sha.slice(0, 10)} ${c.subject}`;
  const pre = $('commit-text');
  pre.replaceChildren('loading…');
  d.showModal();
  pre.focus();
  const r = await getJson('commit', { sha: c.sha }).catch((err) => ({ text: err.message }));
  const lines = (r.text || '').split('\n').map((line) => {
    const cls =
      line.startsWith('+') && !line.startsWith('+++')
        ? 'add'
        : line.startsWith('-') && !line.startsWith('---')
          ? 'del'
          : line.startsWith('@@')
            ? 'hunk'
            : null;
    return cls ? h('span', { class: cls }, line + '\n') : line + '\n';
  });
  if (r.truncated) lines.push(h('span', { class: 'hunk' }, '… cut here (more than 512 KB); the rest: git show ' + c.sha));
  pre.replaceChildren(...lines);
}

// ---- Live updates -----------------------------------------------------------------------------------

function throttle(fn, ms) {
  let timer = null;
  let again = false;
  return () => {
    if (timer) return void (again = true);
    fn();
    timer = setTimeout(function next() {
      timer = null;
      if (again) {
        again = false;
        fn();
        timer = setTimeout(next, ms);
      }
    }, ms);
  };
}
const refreshUsage = throttle(() => loadUsage().catch(showError), 1000);
const refreshRepo = throttle(() => {
  loadHistory().catch(showError);
  loadModels();
}, 300);

function connect() {
  const es = new EventSource(API + 'events');
  const conn = $('conn');
  es.addEventListener('open', () => {
    conn.dataset.state = 'live';
    conn.textContent = 'live';
  });
  es.addEventListener('error', () => {
    conn.dataset.state = 'down';
    conn.textContent = 'reconnecting…';
  });
  es.addEventListener('now', (ev) => {
    const msg = JSON.parse(ev.data);
    skew = Date.parse(msg.server_time) - Date.now();
    const before = lastNow?.active?.tier;
    renderNow(msg.now);
    if (before !== undefined && before !== msg.now.active.tier) refreshUsage();
  });
  es.addEventListener('ledger', (ev) => {
    const e = JSON.parse(ev.data);
    refreshUsage();
    if (e.kind === 'accept' || e.kind === 'rollback' || e.kind === 'switch') refreshRepo();
  });
  es.addEventListener('git', () => refreshRepo());
  es.addEventListener('action', (ev) => {
    const a = JSON.parse(ev.data);
    if (a.state === 'started') status('busy', `${a.action}: running…`);
  });
}

function start() {
  // The state the page was served with; the event stream brings every change after it.
  const first = JSON.parse(document.getElementById('boot').textContent);
  skew = Date.parse(first.server_time) - Date.now();
  renderNow(first.now);
  connect();
  loadUsage().catch(showError);
  loadHistory().catch(showError);
  loadModels();
}

start();
