// Budget card: each configured budget (GET /api/v1/budgets) with its use in the current period,
// one gauge per subject (the session, the project or the fleet), hot from the warning share on.

import * as f from './format.js';

/** Draws the card into {@code root}; returns a function that reads and draws it again. */
export function card(root) {
  const load = () => fetch('/api/v1/budgets')
    .then(r => r.ok ? r.json() : r.json().then(e => Promise.reject(new Error(e.message))))
    .then(answer => { root.innerHTML = render(answer.budgets); })
    .catch(error => { root.innerHTML = `<div class="panel budgets"><h2>Budgets</h2><div class="empty error">${f.esc(error.message)}</div></div>`; });
  load();
  return load;
}

function render(budgets) {
  if (!budgets.length) return '';
  return `<div class="panel budgets"><h2>Budgets</h2>
    <table><tr><th>budget</th><th>period</th><th>limit</th><th>use</th></tr>
    ${budgets.map(b => `<tr data-budget="${f.esc(b.name)}"><td>${f.esc(b.name)}</td><td>${period(b)}</td><td>${limit(b.limit)}</td>
      <td>${b.use.length ? b.use.map(u => gauge(b, u)).join('') : '<span class="muted">no use yet</span>'}</td></tr>`).join('')}
    </table></div>`;
}

function period(b) {
  return b.period === 'session' ? 'per session' : `${f.esc(b.period)} from ${f.esc(b.periodStart)}`;
}

function limit(l) {
  return [l.costUsd != null ? f.cost(l.costUsd) : null, l.tokens != null ? `${f.tokens(l.tokens)} tokens` : null]
    .filter(Boolean).join(' or ');
}

function gauge(b, u) {
  const heat = u.exceeded ? 'over' : u.warned ? 'hot' : '';
  const who = b.scope === 'fleet' ? 'fleet' : u.subject || '(no project)';
  return `<div class="budget-use" data-subject="${f.esc(u.subject)}"><div class="gauge"><div class="fill ${heat}" style="width:${Math.min(100, u.percent)}%"></div></div>
    <div class="gauge-text"><b>${f.percent(u.percent)}</b><span>${f.esc(who)}: ${f.cost(u.costUsd)}, ${f.tokens(u.tokens)} tokens</span></div></div>`;
}
