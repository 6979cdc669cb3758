// Fleet view: sessions grouped by project, the groups and their sessions least headroom first.
// Counts, roll-ups and totals cover every session; tiles are drawn for the first few of each
// group (more on demand), so ten thousand sessions cost a few hundred tiles. Tiles are kept and
// redrawn only when their session's summary changed, so a frame for one session redraws one tile.

import * as burn from './burn.js';
import * as f from './format.js';
import * as store from './store.js';
import * as w from './widgets.js';

const STATUSES = ['all', 'waiting', 'active', 'idle', 'stale', 'closed'];
/** The group of sessions without a project (an empty project is shown the same way). */
const NO_PROJECT = '';
/** Rows of tiles a group shows before "show more", and rows one "show more" adds. */
const ROWS = 2;
const MORE_ROWS = 8;
/** Groups open at first; the others show their roll-up and open on demand. */
const OPEN_GROUPS = 20;
/** A tile's narrowest width and the gap between tiles (app.css, .tiles). */
const TILE_WIDTH = 300;
const GAP = 10;

export function mount(root) {
  root.innerHTML = `
    <div class="kpis" id="fleet-kpis"></div>
    <div id="burn-card"></div>
    <div class="toolbar">
      <input type="search" id="fleet-search" placeholder="Filter by label, id, project, model, tool…">
      <div class="seg" id="fleet-status">${STATUSES.map(s => `<button data-status="${s}" class="${s === 'all' ? 'on' : ''}">${s}</button>`).join('')}</div>
      <span class="count" id="fleet-count"></span>
    </div>
    <div id="fleet-groups"></div>`;
  const kpis = root.querySelector('#fleet-kpis');
  const groupsEl = root.querySelector('#fleet-groups');
  const count = root.querySelector('#fleet-count');
  const stopBurn = burn.card(root.querySelector('#burn-card'));
  /** Tile elements by session id, and the summary each was drawn from. */
  const tiles = new Map();
  const drawnFrom = new WeakMap();
  const groups = new Map();
  /** Tiles shown per project, once the user asked for more (or fewer) than the default. */
  const limits = new Map();
  let query = '';
  let status = 'all';

  root.querySelector('#fleet-search').addEventListener('input', event => {
    query = event.target.value.trim().toLowerCase();
    render(new Set(), false);
  });
  root.querySelector('#fleet-status').addEventListener('click', event => {
    const button = event.target.closest('button');
    if (!button) return;
    status = button.dataset.status;
    root.querySelectorAll('#fleet-status button').forEach(b => b.classList.toggle('on', b === button));
    render(new Set(), false);
  });
  groupsEl.addEventListener('click', event => {
    const button = event.target.closest('button[data-more]');
    if (!button) return;
    limits.set(button.dataset.project, Number(button.dataset.more));
    render(new Set(), false);
  });

  function visible(s) {
    if (status !== 'all' && s.status !== status) return false;
    if (!query) return true;
    return [s.label, s.sessionId, s.project, w.model(s), s.runId, s.lastTool, s.clientVersion]
      .some(v => v && String(v).toLowerCase().includes(query));
  }

  /** The session's tile, drawn again only when its summary is not the one it was drawn from. */
  function tile(s, flashChanges) {
    let el = tiles.get(s.sessionId);
    if (!el) {
      el = document.createElement('a');
      el.dataset.session = s.sessionId;
      tiles.set(s.sessionId, el);
    } else if (drawnFrom.get(el) === s) {
      return el;
    } else if (flashChanges && drawnFrom.has(el)) {
      flash(el);
    }
    drawnFrom.set(el, s);
    draw(el, s);
    return el;
  }

  function group(project) {
    let g = groups.get(project);
    if (!g) {
      const el = document.createElement('section');
      el.className = 'project';
      el.innerHTML = `<div class="project-head"><span class="name"></span><span class="roll"></span></div><div class="tiles"></div><div class="more"></div>`;
      g = { el, name: el.querySelector('.name'), roll: el.querySelector('.roll'), tiles: el.querySelector('.tiles'), more: el.querySelector('.more') };
      g.name.textContent = project === NO_PROJECT ? 'no project' : project;
      g.name.classList.toggle('none', project === NO_PROJECT);
      el.dataset.project = project;
      groups.set(project, g);
    }
    return g;
  }

  function render(_changed, replacedAll) {
    const sessions = [...store.all()];
    const byProject = new Map();
    for (const s of sessions) {
      if (!visible(s)) continue;
      const key = s.project || NO_PROJECT;
      let list = byProject.get(key);
      if (!list) byProject.set(key, list = []);
      list.push(s);
    }
    const ordered = [...byProject.entries()].map(([project, list]) => [project, list.sort(store.riskOrder)])
      .sort((a, b) => store.riskOrder(a[1][0], b[1][0]));
    const shownIds = new Set();
    const columns = Math.max(1, Math.floor(((groupsEl.clientWidth || 1200) + GAP) / (TILE_WIDTH + GAP)));
    ordered.forEach(([project, list], index) => {
      const g = group(project);
      const limit = Math.min(list.length, limits.get(project) ?? (index < OPEN_GROUPS ? ROWS * columns : 0));
      const shown = list.slice(0, limit);
      shown.forEach(s => shownIds.add(s.sessionId));
      order(g.tiles, shown.map(s => tile(s, !replacedAll)));
      g.more.innerHTML = moreButtons(project, list.length, limit, columns);
      g.roll.innerHTML = rollup(list);
      g.el.dataset.sessions = list.length;
      g.el.dataset.shown = limit;
    });
    // tiles no longer shown are dropped: drawn again, from their current summary, when shown again
    for (const id of tiles.keys()) if (!shownIds.has(id)) tiles.delete(id);
    order(groupsEl, ordered.map(([project]) => groups.get(project).el));

    kpis.innerHTML = summary(sessions);
    const matching = ordered.reduce((n, [, list]) => n + list.length, 0);
    count.dataset.shown = shownIds.size;
    count.dataset.matching = matching;
    count.dataset.total = sessions.length;
    count.textContent = `${f.integer(matching)} of ${f.integer(sessions.length)} sessions`
      + (shownIds.size < matching ? ` · ${f.integer(shownIds.size)} tiles shown, the rest counted in their project` : '');
    const extent = store.snapshotExtent();
    if (extent.truncated) count.textContent += ` · the server holds ${f.integer(extent.total)}: only the most recently active were loaded`;
    if (!sessions.length) {
      groupsEl.innerHTML = `<div class="empty">${store.isLoaded() ? 'No session has reported yet. Point Claude Code at the OTLP receiver (see the README).' : 'Loading sessions…'}</div>`;
    } else if (!matching) {
      groupsEl.innerHTML = '<div class="empty">No session matches this filter.</div>';
    }
  }

  function flash(el) {
    el.classList.remove('flash');
    void el.offsetWidth;
    el.classList.add('flash');
  }

  const tick = setInterval(() => {
    const now = Date.now();
    groupsEl.querySelectorAll('.ago').forEach(el => { el.textContent = f.ago(el.dataset.time, now); });
  }, 15_000);
  const unsubscribe = store.onChange(render);
  render(new Set(), true);
  return () => {
    clearInterval(tick);
    unsubscribe();
    stopBurn();
  };
}

/** Puts the children in this order, moving only when the order differs. */
function order(parent, children) {
  const current = parent.children;
  let same = current.length === children.length;
  for (let i = 0; same && i < children.length; i++) same = current[i] === children[i];
  if (!same) {
    parent.replaceChildren(...children);
  }
}

function draw(el, s) {
  el.href = '#/session/' + encodeURIComponent(s.sessionId);
  const impossible = w.overWindow(s.context);
  el.className = 'tile level-' + (s.level || 'ok') + (s.status === 'active' || s.status === 'waiting' ? '' : ' ended') + (impossible ? ' impossible' : '')
    + (s.status === 'waiting' ? ' waiting' : '');
  const t = s.totals || {};
  // exact figures for scripts and tests; the text shows them rounded
  el.dataset.tokens = f.allTokens(t);
  el.dataset.cost = t.costUsd ?? 0;
  el.dataset.requests = t.apiRequests ?? 0;
  el.dataset.status = s.status;
  el.innerHTML = `
    <div class="tile-head">${w.statusDot(s.status)}<span class="label">${f.esc(f.sessionName(s))}</span>
      <span class="right">${w.levelBadge(s.level)}<span class="badge status-text">${f.esc(s.status)}</span></span></div>
    <div class="tile-sub">${w.overWindowBadge(s.context)}${f.esc(w.model(s))}${s.runId ? ` · run ${f.esc(s.runId)}` : ''}
      ${s.label ? `<span class="id">· ${f.esc(f.shortId(s.sessionId))}</span>` : ''}</div>
    ${w.gauge(s.context)}
    ${w.prediction(s)}
    ${client(s)}
    <div class="stats"><span><b data-k="tokens">${f.tokens(f.allTokens(t))}</b> tok</span><span><b data-k="cost">${f.cost(t.costUsd)}</b></span>
      <span><b>${f.integer(t.apiRequests)}</b> req</span><span class="ago" data-time="${f.esc(s.lastReceivedAt)}">${f.ago(s.lastReceivedAt)}</span></div>
    ${s.lastTool || s.lastPrompt ? `<div class="last">${s.lastTool ? `<span class="tool">${f.esc(s.lastTool)}</span>` : ''}${s.lastPrompt ? f.esc(s.lastPrompt) : ''}</div>` : '<div class="last faint">no tool or prompt yet</div>'}`;
}

/** The client's version, whether the session was resumed, its subagent runs and where its threshold came from, when known. */
function client(s) {
  const runs = s.subagents?.runCount ?? 0;
  const parts = [s.clientVersion ? `<span data-k="version" title="Claude Code's version">v${f.esc(s.clientVersion)}</span>` : '',
    s.resumed ? '<span class="badge" data-k="resumed">resumed</span>' : '',
    runs ? `<span data-k="subagents">${f.integer(runs)} subagent${runs === 1 ? '' : 's'}</span>` : '',
    s.context?.thresholdSource ? `<span data-k="threshold" title="where the auto-compact threshold came from">threshold ${f.esc(s.context.thresholdSource)}</span>` : '']
    .filter(Boolean);
  return parts.length ? `<div class="tile-client">${parts.join(' · ')}</div>` : '';
}

function moreButtons(project, total, shown, columns) {
  if (shown >= total) return '';
  const key = f.esc(project);
  const next = Math.min(total, shown + columns * (shown ? MORE_ROWS : ROWS));
  return `<span class="faint">${f.integer(total - shown)} more session${total - shown === 1 ? '' : 's'} in this project</span>
    <button data-project="${key}" data-more="${next}">show ${f.integer(next - shown)} more</button>`
    + (next < total ? `<button data-project="${key}" data-more="${total}">show all ${f.integer(total)}</button>` : '');
}

function rollup(list) {
  let tokens = 0, micros = 0, active = 0, warning = 0, critical = 0, waiting = 0;
  for (const s of list) {
    waiting += s.status === 'waiting' ? 1 : 0;
    tokens += f.allTokens(s.totals);
    micros += f.costMicros(s.totals);
    active += s.status === 'active' ? 1 : 0;
    warning += s.level === 'warning' ? 1 : 0;
    critical += s.level === 'critical' ? 1 : 0;
  }
  return `<span><b>${f.integer(list.length)}</b> session${list.length === 1 ? '' : 's'}</span>`
    + (waiting ? `<span class="waiting-count" data-waiting="${waiting}"><b>${f.integer(waiting)}</b> waiting for input</span>` : '')
    + `<span><b>${f.integer(active)}</b> active</span>`
    + (critical ? `<span style="color:var(--critical)"><b style="color:inherit">${critical}</b> critical</span>` : '')
    + (warning ? `<span style="color:var(--warning)"><b style="color:inherit">${warning}</b> warning</span>` : '')
    + `<span><b>${f.tokens(tokens)}</b> tokens</span><span><b>${f.cost(micros / 1e6)}</b></span>`;
}

function summary(sessions) {
  let active = 0, warning = 0, critical = 0, tokens = 0, micros = 0, waiting = 0;
  for (const s of sessions) {
    waiting += s.status === 'waiting' ? 1 : 0;
    active += s.status === 'active' ? 1 : 0;
    warning += s.level === 'warning' ? 1 : 0;
    critical += s.level === 'critical' ? 1 : 0;
    tokens += f.allTokens(s.totals);
    micros += f.costMicros(s.totals);
  }
  const cost = micros / 1e6;
  return `<div class="kpi" data-kpi="sessions" data-value="${sessions.length}"><div class="k">Sessions</div><div class="v">${f.integer(sessions.length)}<small>${f.integer(active)} active</small></div></div>
    <div class="kpi${waiting ? ' waiting' : ''}" data-kpi="waiting" data-value="${waiting}"><div class="k">Waiting for input</div><div class="v">${f.integer(waiting)}</div></div>
    <div class="kpi${critical ? ' crit' : ''}"><div class="k">Critical</div><div class="v">${critical}</div></div>
    <div class="kpi${warning ? ' warn' : ''}"><div class="k">Warning</div><div class="v">${warning}</div></div>
    <div class="kpi" data-kpi="tokens" data-value="${tokens}"><div class="k">Tokens</div><div class="v">${f.tokens(tokens)}</div></div>
    <div class="kpi" data-kpi="cost" data-value="${cost}"><div class="k">Cost</div><div class="v">${f.cost(cost)}</div></div>`;
}
