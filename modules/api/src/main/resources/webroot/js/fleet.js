// Fleet view: every session as a tile, grouped by project, least headroom first. Tiles are kept
// and patched in place, so a frame for one session redraws one tile, not five hundred.

import * as f from './format.js';
import * as store from './store.js';
import * as w from './widgets.js';

const STATUSES = ['all', 'active', 'idle', 'stale', 'closed'];
const NO_PROJECT = '\u0000';

export function mount(root) {
  root.innerHTML = `
    <div class="kpis" id="fleet-kpis"></div>
    <div class="toolbar">
      <input type="search" id="fleet-search" placeholder="Filter by label, id, project, model, tool…">
      <div class="seg" id="fleet-status">${STATUSES.map(s => `<button data-status="${s}" class="${s === 'all' ? 'on' : ''}">${s}</button>`).join('')}</div>
      <span class="count" id="fleet-count"></span>
    </div>
    <div id="fleet-groups"></div>`;
  const kpis = root.querySelector('#fleet-kpis');
  const groupsEl = root.querySelector('#fleet-groups');
  const count = root.querySelector('#fleet-count');
  const tiles = new Map();
  const groups = new Map();
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

  function visible(s) {
    if (status !== 'all' && s.status !== status) return false;
    if (!query) return true;
    return [s.label, s.sessionId, s.project, w.model(s), s.runId, s.lastTool]
      .some(v => v && String(v).toLowerCase().includes(query));
  }

  function tile(s) {
    let el = tiles.get(s.sessionId);
    if (!el) {
      el = document.createElement('a');
      el.className = 'tile';
      el.dataset.session = s.sessionId;
      tiles.set(s.sessionId, el);
    }
    el.href = '#/session/' + encodeURIComponent(s.sessionId);
    el.className = 'tile level-' + (s.level || 'ok');
    const t = s.totals || {};
    // exact figures for scripts and tests; the text shows them rounded
    el.dataset.tokens = f.allTokens(t);
    el.dataset.cost = t.costUsd ?? 0;
    el.dataset.requests = t.apiRequests ?? 0;
    el.innerHTML = `
      <div class="tile-head">${w.statusDot(s.status)}<span class="label">${f.esc(f.sessionName(s))}</span>
        <span class="right">${w.levelBadge(s.level)}<span class="badge status-text">${f.esc(s.status)}</span></span></div>
      <div class="tile-sub">${f.esc(w.model(s))}${s.runId ? ` · run ${f.esc(s.runId)}` : ''}
        ${s.label ? `<span class="id">· ${f.esc(f.shortId(s.sessionId))}</span>` : ''}</div>
      ${w.gauge(s.context)}
      ${w.prediction(s.context)}
      <div class="stats"><span><b data-k="tokens">${f.tokens(f.allTokens(t))}</b> tok</span><span><b data-k="cost">${f.cost(t.costUsd)}</b></span>
        <span><b>${f.integer(t.apiRequests)}</b> req</span><span class="ago" data-time="${f.esc(s.lastReceivedAt)}">${f.ago(s.lastReceivedAt)}</span></div>
      ${s.lastTool || s.lastPrompt ? `<div class="last">${s.lastTool ? `<span class="tool">${f.esc(s.lastTool)}</span>` : ''}${s.lastPrompt ? f.esc(s.lastPrompt) : ''}</div>` : ''}`;
    return el;
  }

  function group(project) {
    let g = groups.get(project);
    if (!g) {
      const el = document.createElement('section');
      el.className = 'project';
      el.innerHTML = `<div class="project-head"><span class="name"></span><span class="roll"></span></div><div class="tiles"></div>`;
      g = { el, name: el.querySelector('.name'), roll: el.querySelector('.roll'), tiles: el.querySelector('.tiles') };
      g.name.textContent = project === NO_PROJECT ? 'no project' : project;
      g.name.classList.toggle('none', project === NO_PROJECT);
      groups.set(project, g);
    }
    return g;
  }

  /** Puts the children in this order, moving only when the order differs. */
  function order(parent, children) {
    const current = parent.children;
    let same = current.length === children.length;
    for (let i = 0; same && i < children.length; i++) same = current[i] === children[i];
    if (!same) {
      children.forEach(child => parent.appendChild(child));
      while (parent.children.length > children.length) parent.firstChild.remove();
    }
  }

  function render(changed, replacedAll) {
    const sessions = [...store.all()];
    for (const s of sessions) {
      if (replacedAll || changed.has(s.sessionId) || !tiles.has(s.sessionId)) {
        tile(s);
        if (!replacedAll && changed.has(s.sessionId)) flash(tiles.get(s.sessionId));
      }
    }
    for (const id of [...tiles.keys()]) if (!store.get(id)) tiles.delete(id);

    const byProject = new Map();
    for (const s of sessions.filter(visible)) {
      const key = s.project || NO_PROJECT;
      if (!byProject.has(key)) byProject.set(key, []);
      byProject.get(key).push(s);
    }
    const ordered = [...byProject.entries()].map(([project, list]) => [project, list.sort(store.riskOrder)])
      .sort((a, b) => store.riskOrder(a[1][0], b[1][0]));
    for (const [project, list] of ordered) {
      const g = group(project);
      order(g.tiles, list.map(s => tiles.get(s.sessionId)));
      rollup(g, list);
    }
    order(groupsEl, ordered.map(([project]) => groups.get(project).el));
    kpis.innerHTML = summary(sessions);
    count.textContent = `${ordered.reduce((n, [, list]) => n + list.length, 0)} of ${sessions.length} sessions`;
    if (!sessions.length) {
      groupsEl.innerHTML = `<div class="empty">${store.isLoaded() ? 'No session has reported yet. Point Claude Code at the OTLP receiver (see the README).' : 'Loading sessions…'}</div>`;
    } else {
      groupsEl.querySelector('.empty')?.remove();
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
  };
}

function rollup(g, list) {
  let tokens = 0, cost = 0, active = 0, warning = 0, critical = 0;
  for (const s of list) {
    tokens += f.allTokens(s.totals);
    cost += s.totals?.costUsd || 0;
    active += s.status === 'active' ? 1 : 0;
    warning += s.level === 'warning' ? 1 : 0;
    critical += s.level === 'critical' ? 1 : 0;
  }
  g.roll.innerHTML = `<span><b>${list.length}</b> session${list.length === 1 ? '' : 's'}</span><span><b>${active}</b> active</span>`
    + (critical ? `<span style="color:var(--critical)"><b style="color:inherit">${critical}</b> critical</span>` : '')
    + (warning ? `<span style="color:var(--warning)"><b style="color:inherit">${warning}</b> warning</span>` : '')
    + `<span><b>${f.tokens(tokens)}</b> tokens</span><span><b>${f.cost(cost)}</b></span>`;
}

function summary(sessions) {
  let active = 0, warning = 0, critical = 0, tokens = 0, cost = 0;
  for (const s of sessions) {
    active += s.status === 'active' ? 1 : 0;
    warning += s.level === 'warning' ? 1 : 0;
    critical += s.level === 'critical' ? 1 : 0;
    tokens += f.allTokens(s.totals);
    cost += s.totals?.costUsd || 0;
  }
  return `<div class="kpi"><div class="k">Sessions</div><div class="v">${sessions.length}<small>${active} active</small></div></div>
    <div class="kpi${critical ? ' crit' : ''}"><div class="k">Critical</div><div class="v">${critical}</div></div>
    <div class="kpi${warning ? ' warn' : ''}"><div class="k">Warning</div><div class="v">${warning}</div></div>
    <div class="kpi"><div class="k">Tokens</div><div class="v">${f.tokens(tokens)}</div></div>
    <div class="kpi"><div class="k">Cost</div><div class="v">${f.cost(cost)}</div></div>`;
}
