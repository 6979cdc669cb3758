// Small pieces of markup several views share: the context gauge, the prediction line, badges.

import * as f from './format.js';

/**
 * A context larger than the window it is measured against cannot be: the model's window (or its
 * threshold) is wrong for this session, e.g. a 1M-context session whose events name the 200k model.
 */
export function overWindow(context) {
  return !!(context && context.window && context.tokens > context.window);
}

/** What an impossible context means, for a tooltip or a note. */
export function overWindowText(context) {
  return `${f.integer(context.tokens)} tokens in a ${f.integer(context.window)}-token window is impossible: the window `
    + `or the auto-compact threshold is wrong for this session (a 1M-context session whose requests name the 200k model?). `
    + `Its percentages and predictions are not to be trusted.`;
}

/** Gauge of the context against the window, with the auto-compact threshold marked. */
export function gauge(context, big = false) {
  const c = context || {};
  if (!c.window || c.tokens == null) {
    return `<div class="gauge${big ? ' big' : ''}" title="context window unknown"></div>
      <div class="gauge-text"><span>${c.tokens != null ? `<b>${f.tokens(c.tokens)}</b> tokens` : 'no main-thread request yet'}</span><span></span></div>`;
  }
  const impossible = overWindow(c);
  const fill = Math.min(100, 100 * c.tokens / c.window);
  const mark = 100 * c.threshold / c.window;
  const heat = impossible ? ' impossible' : c.percentOfThreshold >= 90 ? ' over' : c.percentOfThreshold >= 70 ? ' hot' : '';
  const title = impossible ? overWindowText(c) : `${f.integer(c.tokens)} of ${f.integer(c.window)} tokens; auto-compact at ${f.integer(c.threshold)}`;
  return `<div class="gauge${big ? ' big' : ''}" title="${f.esc(title)}">
      <div class="fill${heat}" style="width:${fill.toFixed(2)}%"></div><div class="mark" style="left:calc(${mark.toFixed(2)}% - 1px)"></div></div>
    <div class="gauge-text"><span><b>${f.tokens(c.tokens)}</b> / ${f.tokens(c.window)}</span>
      <span><b>${f.percent(c.percentOfThreshold)}</b> of threshold</span></div>`;
}

/**
 * Predicted requests and minutes until auto-compact, for a running session. A session that is
 * not running (idle, stale, closed) makes no requests: it says so and predicts nothing.
 */
export function prediction(session) {
  const context = session.context;
  if (session.status === 'waiting') return waiting(session);
  if (session.status && session.status !== 'active') return `<div class="predict ended" data-status="${f.esc(session.status)}">${ended(session)}</div>`;
  if (overWindow(context)) return `<div class="predict over"><b>no prediction</b> · wrong window or threshold</div>`;
  const p = context?.prediction;
  if (!p || samples(context) < 2 && p.requestsLeft !== 0) return `<div class="predict faint">prediction after two main-thread requests</div>`;
  if (p.requestsLeft === 0) return `<div class="predict over"><b>at the threshold</b> · compacts next request</div>`;
  if (p.requestsLeft == null) return `<div class="predict">context not growing</div>`;
  const heat = p.requestsLeft <= 2 ? ' over' : p.requestsLeft <= 5 ? ' hot' : '';
  const time = f.minutes(p.minutesLeft);
  return `<div class="predict${heat}">≈ <b>${p.requestsLeft < 10 ? p.requestsLeft.toFixed(1) : Math.round(p.requestsLeft)}</b> requests${time ? ` · <b>${time}</b>` : ''} to auto-compact</div>`;
}

/** Samples: a count in a tile summary, the list in a whole one. */
function samples(context) {
  const s = context?.samples;
  return Array.isArray(s) ? s.length : s ?? 0;
}

const ENDED = {
  idle: '<b>idle</b> for {for} · not running: no prediction',
  stale: '<b>stale</b> for {for} · the CLI has most likely exited',
  closed: '<b>closed</b> {for} ago · no more requests',
};

function ended(session) {
  const since = session.status === 'closed' && session.closedAt ? session.closedAt : session.lastReceivedAt;
  return (ENDED[session.status] || f.esc(session.status)).replace('{for}', f.ago(since).replace(' ago', ''));
}

/** What the client said it waits for, in words. */
const WAITING_FOR = {
  permission_prompt: 'a tool waits for permission',
  idle_prompt: 'waiting for the next prompt',
};

/** A session waiting for a person: why, and since when (kept current by the views' clock). */
function waiting(session) {
  const reason = session.waiting?.reason;
  const since = session.waiting?.since || session.lastReceivedAt;
  return `<div class="predict waiting" data-status="waiting" data-reason="${f.esc(reason || '')}"><b>waiting for input</b>`
    + `${reason ? ` · ${f.esc(WAITING_FOR[reason] || reason)}` : ''} · since <span class="ago" data-time="${f.esc(since)}">${f.ago(since)}</span></div>`;
}

/** A badge for a context larger than its window, with what it means as a tooltip; nothing otherwise. */
export function overWindowBadge(context) {
  return overWindow(context) ? `<span class="badge impossible" data-flag="over-window" title="${f.esc(overWindowText(context))}">over window</span>` : '';
}

export function levelBadge(level) {
  return level && level !== 'ok' ? `<span class="badge ${level}">${level}</span>` : '';
}

export function statusDot(status) {
  return `<span class="status ${f.esc(status)}" title="${f.esc(STATUS_TEXT[status] || status)}"></span>`;
}

const STATUS_TEXT = {
  active: 'active: a request in the last minutes',
  idle: 'idle: no request for a while; the CLI may be waiting for its user',
  stale: 'stale: no request for an hour or more; the CLI has most likely exited',
  closed: 'closed through the API',
  waiting: 'waiting for input: the client asked a person (to allow a tool, or for the next prompt)',
};

/** The model the main thread uses, else the first one seen. */
export function model(s) {
  return s.context?.model || (s.models && s.models[0]) || '–';
}

/** The thread kinds of the usage breakdown and of api_request's query_source, in words. */
const THREADS = {
  main: ['main thread', 'the session\'s own conversation: query_source main, sdk in a headless run (claude -p, the Agent SDK) or repl_main_thread in a terminal'],
  sdk: ['main thread (headless)', 'query_source sdk: the main thread of a headless run (claude -p, the Agent SDK)'],
  subagent: ['subagent', 'requests of subagents the session started (the Task/Agent tool)'],
  auxiliary: ['auxiliary', 'side requests of the CLI (titles, summaries, checks), not part of the conversation'],
};

/** A thread kind in words, with what it means as a tooltip. */
export function thread(kind) {
  if (kind == null) return '';
  const known = THREADS[kind] || (String(kind).startsWith('agent:') ? ['subagent', `query_source ${kind}: a subagent (${String(kind).split(':').pop()})`]
    : ['auxiliary', `query_source ${kind}: a side request of the CLI`]);
  return `<span class="thread" title="${f.esc(known[1])}">${f.esc(known[0])}</span>`;
}

/** The legend of thread kinds. */
export function threadLegend() {
  return `<div class="legend threads">${['main', 'subagent', 'auxiliary'].map(k => `<span><b>${THREADS[k][0]}</b>: ${f.esc(THREADS[k][1])}</span>`).join('')}</div>`;
}

/** A row of toggle buttons for setting {@code key}, {@code on} pressed. */
export function seg(key, values, on) {
  return `<div class="seg" data-key="${key}">${values.map(v => `<button data-value="${v}" class="${v === on ? 'on' : ''}">${v}</button>`).join('')}</div>`;
}
