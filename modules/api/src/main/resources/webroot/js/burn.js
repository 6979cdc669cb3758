// Burn-rate card (GET /api/v1/burn-rate): the fleet's dollars and tokens per hour over the last ten
// minutes and the last hour, today's cost projected to midnight at the last hour's rate (the day
// being the browser's), and the projects burning fastest. The session view shows a session's own
// rate (GET /api/v1/sessions/{id}/burn-rate). Both are read again as requests land and every
// minute, since the windows slide even when nothing lands.

import * as f from './format.js';
import * as store from './store.js';
import * as synthetic from './synthetic.js';

const TZ = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
/** Projects the card lists, fastest first. */
const PROJECTS = 5;
/** Reads after a request landed wait this long, so a burst of requests costs one read. */
const SETTLE_MS = 2000;
const REFRESH_MS = 60_000;

function read(url) {
  return fetch(url).then(r => r.ok ? r.json() : r.json().then(e => Promise.reject(new Error(e.message))));
}

/**
 * Reads with {@code load} now, again a moment after each updated session (the updates of one burst
 * together) and every minute; returns the function that stops it.
 */
export function keepFresh(load, sessionId) {
  let timer = null;
  load();
  const unsubscribe = store.onFrame(frame => {
    if (frame.type !== 'session.updated' || timer) return;
    if (sessionId && frame.sessionId !== sessionId) return;
    timer = setTimeout(() => { timer = null; load(); }, SETTLE_MS);
  });
  const ticker = setInterval(load, REFRESH_MS);
  return () => {
    unsubscribe();
    clearTimeout(timer);
    clearInterval(ticker);
  };
}

/** Draws the fleet's card into {@code root}; returns the function that stops refreshing it. */
export function card(root) {
  const load = () => read(synthetic.query('/api/v1/burn-rate?limit=1&tz=' + encodeURIComponent(TZ)))
    .then(burn => { root.innerHTML = render(burn); })
    .catch(error => { root.innerHTML = `<div class="panel burn"><h2>Burn rate</h2><div class="empty error">${f.esc(error.message)}</div></div>`; });
  return keepFresh(load);
}

/** Reads the session's own rate and hands it to {@code show}; returns the function that stops refreshing it. */
export function session(id, show) {
  const load = () => read('/api/v1/sessions/' + encodeURIComponent(id) + '/burn-rate?tz=' + encodeURIComponent(TZ))
    .then(burn => show(burn.rates)).catch(() => show(null));
  return keepFresh(load, id);
}

/** The session view's KPI: dollars per hour over the last hour, the last ten minutes' beside it. */
export function kpi(rates) {
  if (!rates) return '<div class="kpi" data-kpi="burn"><div class="k">Burn rate</div><div class="v">–</div></div>';
  return `<div class="kpi" data-kpi="burn" data-value="${rates.lastHour.costUsdPerHour}" data-now="${rates.now.costUsdPerHour}"
    title="dollars per hour over the last hour; now: over the last ten minutes"><div class="k">Burn rate</div>
    <div class="v">${perHour(rates.lastHour.costUsdPerHour)}<small>now ${perHour(rates.now.costUsdPerHour)}</small></div></div>`;
}

function render(burn) {
  const fleet = burn.fleet;
  const today = burn.windows.today;
  const projects = burn.projects.slice(0, PROJECTS);
  return `<div class="panel burn"><h2>Burn rate</h2>
    <div class="kpis">
      ${figure('now-cost', 'Now ($/h)', fleet.now.costUsdPerHour, perHour(fleet.now.costUsdPerHour), 'over the last 10 minutes')}
      ${figure('hour-cost', 'Last hour ($/h)', fleet.lastHour.costUsdPerHour, perHour(fleet.lastHour.costUsdPerHour), 'over the last 60 minutes')}
      ${figure('now-tokens', 'Now (tokens/h)', fleet.now.tokensPerHour, f.tokens(fleet.now.tokensPerHour), 'over the last 10 minutes')}
      ${figure('hour-tokens', 'Last hour (tokens/h)', fleet.lastHour.tokensPerHour, f.tokens(fleet.lastHour.tokensPerHour), 'over the last 60 minutes')}
      ${figure('projected-cost', 'Projected today', fleet.today.projectedCostUsd, f.cost(fleet.today.projectedCostUsd),
        `${f.cost(fleet.today.costUsd)} so far on ${today.day} (${burn.tz}) + the last hour's rate × ${today.hoursLeft.toFixed(1)} h left`,
        `${f.cost(fleet.today.costUsd)} so far`)}
    </div>
    ${projects.length ? projectTable(projects) : '<div class="muted">no request today</div>'}</div>`;
}

function figure(key, label, value, text, title, note = '') {
  return `<div class="kpi" data-burn="${key}" data-value="${value}" title="${f.esc(title)}"><div class="k">${label}</div>
    <div class="v">${text}${note ? `<small>${note}</small>` : ''}</div></div>`;
}

function projectTable(projects) {
  return `<table><tr><th>project</th><th class="num">$/h now</th><th class="num">$/h last hour</th><th class="num">tokens/h last hour</th>
    <th class="num">today</th><th class="num">projected today</th></tr>
    ${projects.map(p => `<tr data-project="${f.esc(p.project ?? '')}"><td class="${p.project ? '' : 'muted'}">${f.esc(p.project ?? 'no project')}</td>
      <td class="num">${perHour(p.now.costUsdPerHour)}</td><td class="num">${perHour(p.lastHour.costUsdPerHour)}</td>
      <td class="num">${f.tokens(p.lastHour.tokensPerHour)}</td><td class="num">${f.cost(p.today.costUsd)}</td>
      <td class="num">${f.cost(p.today.projectedCostUsd)}</td></tr>`).join('')}</table>`;
}

function perHour(usd) {
  return f.cost(usd) + '/h';
}
