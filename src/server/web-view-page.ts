/**
 * The web view's HTML (pure): the page and the table rows, which the server sends again over server-sent
 * events on every change. Every value from the cluster goes through {@link escapeHtml}, in text and in
 * attributes alike; the page's only script and style are inline, allowed by a per-response nonce.
 */
import type { CanaryView, CheckView, PlanView } from './web-view-model.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for an HTML text node or a quoted attribute value: `<b a="1">` → `&lt;b a=&quot;1&quot;&gt;`. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * A duration as people read it, to the second below an hour: 75_000 → `1m 15s`, 3_725_000 → `1h 2m`, a
 * negative one as 0 s. The page's script formats with the same rule (`fmt` in {@link PAGE_SCRIPT}).
 */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h ${m}m`;
  return m > 0 ? `${m}m ${s % 60}s` : `${s % 60}s`;
}

/** `in 2m 5s` before `until`, `2m 5s ago` after it. */
export function formatUntil(untilMs: number, now: number): string {
  return untilMs >= now ? `in ${formatDuration(untilMs - now)}` : `${formatDuration(now - untilMs)} ago`;
}

function formatValue(value: number | null): string {
  if (value === null) return 'no data';
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

function check(c: CheckView): string {
  const title = c.message === undefined ? '' : ` title="${escapeHtml(c.message)}"`;
  return `<li class="check ${verdictClass(c.verdict)}" data-check="${escapeHtml(c.name)}"${title}>`
    + `<span class="check-name">${escapeHtml(c.name)}</span> `
    + `<span class="check-value">${escapeHtml(formatValue(c.value))}</span> `
    + `<span class="check-threshold">${escapeHtml(c.threshold)}</span> `
    + `<span class="verdict">${escapeHtml(c.verdict)}</span></li>`;
}

function verdictClass(verdict: string): string {
  return verdict === 'Pass' ? 'pass' : verdict === 'Fail' ? 'fail' : 'skip';
}

function timeSince(iso: string | undefined, now: number): string {
  const at = iso === undefined ? NaN : Date.parse(iso);
  if (Number.isNaN(at)) return '';
  return `<time data-since="${escapeHtml(iso ?? '')}">${formatDuration(now - at)}</time>`;
}

// The ladder with the current weight marked, e.g. 10 → <b>20</b> → 30, then when the run should end.
function planCell(plan: PlanView | undefined, weight: number | undefined, now: number): string {
  if (plan === undefined) return '';
  const ladder = plan.weights.map((w) => (w === weight ? `<b>${w}</b>` : String(w))).join(' → ');
  return `<div class="ladder">${ladder}</div>${until('expected-end', 'ends', plan.expectedEnd, now)}${until('latest-end', 'at the latest', plan.latestEnd, now)}`;
}

// e.g. <div class="expected-end">ends <time …>in 2m 0s</time></div>; nothing for a missing or unreadable time.
function until(cls: string, label: string, iso: string | undefined, now: number): string {
  const at = iso === undefined ? NaN : Date.parse(iso);
  if (iso === undefined || Number.isNaN(at)) return '';
  return `<div class="${cls}">${label} <time data-until="${escapeHtml(iso)}" title="${escapeHtml(iso)}">${formatUntil(at, now)}</time></div>`;
}

function phaseCell(view: CanaryView): string {
  const held = view.paused?.weight === undefined ? 'paused' : `held at ${view.paused.weight}%`;
  const paused = view.paused === undefined ? '' : ` <span class="paused">${held}</span>`;
  const ready = view.ready === undefined ? '' : `<div class="ready" title="${escapeHtml(view.ready.message ?? '')}">`
    + `${escapeHtml(view.ready.reason ?? '')}${view.ready.message === undefined ? '' : `: ${escapeHtml(view.ready.message)}`}</div>`;
  return `<span class="phase-name phase-${escapeHtml(view.phase.toLowerCase())}">${escapeHtml(view.phase)}</span>${paused}${ready}`;
}

function row(view: CanaryView, now: number): string {
  const id = `${view.namespace}/${view.name}`;
  const failed = view.failedChecks === undefined ? '' : `${view.failedChecks}${view.threshold === undefined ? '' : ` / ${view.threshold}`}`;
  return `<tr data-canary="${escapeHtml(id)}">`
    + `<td class="name"><span class="ns">${escapeHtml(view.namespace)}/</span>${escapeHtml(view.name)}</td>`
    + `<td class="phase">${phaseCell(view)}</td>`
    + `<td class="weight">${view.weight === undefined ? '' : `${view.weight}%`}</td>`
    + `<td class="checks"><ul>${view.checks.map(check).join('')}</ul></td>`
    + `<td class="failed">${failed}</td>`
    + `<td class="in-phase">${timeSince(view.phaseSince, now)}</td>`
    + `<td class="plan">${planCell(view.plan, view.weight, now)}</td></tr>`;
}

/** The table body: one row per Canary, or one that says there are none. */
export function renderRows(views: readonly CanaryView[], now: number): string {
  if (views.length === 0) return '<tr class="empty"><td colspan="7">No canaries.</td></tr>';
  return views.map((v) => row(v, now)).join('\n');
}

const PAGE_STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; background: #f7f8fa; }
header { display: flex; align-items: baseline; gap: 1rem; }
h1 { font-size: 1.3rem; margin: 0 0 1rem; }
#conn { font-size: .85rem; padding: .1rem .5rem; border-radius: 1rem; background: #ddd; }
#conn.live { background: #cdeccf; } #conn.down { background: #f6d3cf; }
table { border-collapse: collapse; width: 100%; background: #fff; box-shadow: 0 1px 2px #0002; }
th, td { text-align: left; vertical-align: top; padding: .5rem .7rem; border-bottom: 1px solid #e4e6eb; }
th { font-weight: 600; background: #eef0f4; }
.ns { color: #6b7280; } ul { list-style: none; margin: 0; padding: 0; }
.check .check-name { font-weight: 600; } .check-threshold { color: #6b7280; }
.verdict { font-size: .8rem; padding: 0 .35rem; border-radius: .3rem; }
.pass .verdict { background: #cdeccf; } .fail .verdict { background: #f6d3cf; } .skip .verdict { background: #eee; }
.phase-name { font-weight: 600; } .phase-progressing, .phase-promoting, .phase-finalising { color: #1f5fbf; }
.phase-succeeded { color: #23803a; } .phase-failed { color: #b3261e; }
.ready { color: #6b7280; font-size: .85rem; max-width: 28rem; }
.paused { font-size: .8rem; background: #fff0c2; padding: 0 .35rem; border-radius: .3rem; }
.weight { font-variant-numeric: tabular-nums; font-size: 1.1rem; }
.ladder b { background: #dbe7fb; padding: 0 .2rem; border-radius: .2rem; }
.expected-end, .latest-end { color: #6b7280; font-size: .85rem; }
`;

// Replaces the rows on every `canaries` event and keeps the relative times current between events. Reads
// nothing but the server's own HTML (escaped there) and writes nothing anywhere.
const PAGE_SCRIPT = `
(() => {
  const rows = document.getElementById('rows');
  const conn = document.getElementById('conn');
  const fmt = (ms) => {
    const s = Math.max(0, Math.round(ms / 1000)); const h = Math.floor(s / 3600); const m = Math.floor((s % 3600) / 60);
    return h > 0 ? h + 'h ' + m + 'm' : m > 0 ? m + 'm ' + (s % 60) + 's' : (s % 60) + 's';
  };
  const tick = () => {
    const now = Date.now();
    for (const t of document.querySelectorAll('time[data-since]')) t.textContent = fmt(now - Date.parse(t.dataset.since));
    for (const t of document.querySelectorAll('time[data-until]')) {
      const d = Date.parse(t.dataset.until) - now;
      t.textContent = d >= 0 ? 'in ' + fmt(d) : fmt(-d) + ' ago';
    }
  };
  let updates = 0;
  const events = new EventSource('events');
  events.addEventListener('canaries', (e) => {
    rows.innerHTML = JSON.parse(e.data).html;
    document.body.dataset.updates = String(++updates);
    tick();
  });
  events.onopen = () => { conn.textContent = 'live'; conn.className = 'live'; };
  events.onerror = () => { conn.textContent = 'reconnecting'; conn.className = 'down'; };
  setInterval(tick, 1000);
})();
`;

/** The whole page, its rows rendered at `now`; `nonce` allows its inline script and style under the CSP. */
export function renderPage(views: readonly CanaryView[], now: number, nonce: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Songbird canaries</title><style nonce="${escapeHtml(nonce)}">${PAGE_STYLE}</style></head>
<body data-updates="0"><header><h1>Songbird canaries</h1><span id="conn">connecting</span></header>
<table><thead><tr><th>Canary</th><th>Phase</th><th>Weight</th><th>Checks (last value, threshold)</th><th>Failed checks</th><th>In phase</th><th>Plan</th></tr></thead>
<tbody id="rows">${renderRows(views, now)}</tbody></table>
<script nonce="${escapeHtml(nonce)}">${PAGE_SCRIPT}</script></body></html>
`;
}
