// Small pieces of markup several views share: the context gauge, the prediction line, badges.

import * as f from './format.js';

/** Gauge of the context against the window, with the auto-compact threshold marked. */
export function gauge(context, big = false) {
  const c = context || {};
  if (!c.window || c.tokens == null) {
    return `<div class="gauge${big ? ' big' : ''}" title="context window unknown"></div>
      <div class="gauge-text"><span>${c.tokens != null ? `<b>${f.tokens(c.tokens)}</b> tokens` : 'no main-thread request yet'}</span><span></span></div>`;
  }
  const fill = Math.min(100, 100 * c.tokens / c.window);
  const mark = 100 * c.threshold / c.window;
  const heat = c.percentOfThreshold >= 90 ? ' over' : c.percentOfThreshold >= 70 ? ' hot' : '';
  return `<div class="gauge${big ? ' big' : ''}" title="${f.integer(c.tokens)} of ${f.integer(c.window)} tokens; auto-compact at ${f.integer(c.threshold)}">
      <div class="fill${heat}" style="width:${fill.toFixed(2)}%"></div><div class="mark" style="left:calc(${mark.toFixed(2)}% - 1px)"></div></div>
    <div class="gauge-text"><span><b>${f.tokens(c.tokens)}</b> / ${f.tokens(c.window)}</span><span><b>${f.percent(c.percentOfThreshold)}</b> of threshold</span></div>`;
}

/** Predicted requests and minutes until auto-compact. */
export function prediction(context) {
  const p = context?.prediction;
  if (!p || (context.samples?.length ?? 0) < 2 && p.requestsLeft !== 0) return `<div class="predict faint">prediction after two main-thread requests</div>`;
  if (p.requestsLeft === 0) return `<div class="predict over"><b>at the threshold</b> · compacts next request</div>`;
  if (p.requestsLeft == null) return `<div class="predict">context not growing</div>`;
  const heat = p.requestsLeft <= 2 ? ' over' : p.requestsLeft <= 5 ? ' hot' : '';
  const time = f.minutes(p.minutesLeft);
  return `<div class="predict${heat}">≈ <b>${p.requestsLeft < 10 ? p.requestsLeft.toFixed(1) : Math.round(p.requestsLeft)}</b> requests${time ? ` · <b>${time}</b>` : ''} to auto-compact</div>`;
}

export function levelBadge(level) {
  return level && level !== 'ok' ? `<span class="badge ${level}">${level}</span>` : '';
}

export function statusDot(status) {
  return `<span class="status ${f.esc(status)}" title="${f.esc(status)}"></span>`;
}

/** The model the main thread uses, else the first one seen. */
export function model(s) {
  return s.context?.model || (s.models && s.models[0]) || '–';
}
