// Quota card: each user's plan limits as their Claude Code status lines showed them (GET
// /api/v1/quota): 5-hour and 7-day use, when each resets, the burn rate and when the limit is hit
// at that rate. Users on an API key have no plan limits; they are listed without gauges.

import * as f from './format.js';

const WINDOWS = [['fiveHour', '5-hour'], ['sevenDay', '7-day']];

/** Draws the card into {@code root}; returns a function that reads and draws it again. */
export function card(root) {
  const load = () => fetch('/api/v1/quota')
    .then(r => r.ok ? r.json() : r.json().then(e => Promise.reject(new Error(e.message))))
    .then(quota => { root.innerHTML = render(quota); })
    .catch(error => { root.innerHTML = `<div class="panel quota"><h2>Plan quota</h2><div class="empty error">${f.esc(error.message)}</div></div>`; });
  load();
  return load;
}

function render(quota) {
  if (!quota.users.length) {
    return '<div class="panel quota"><h2>Plan quota</h2><div class="muted">no status line yet: run scripts/claude-setup.sh (docs/claude-code-setup.md)</div></div>';
  }
  return `<div class="panel quota"><h2>Plan quota</h2>
    <table><tr><th>user</th><th>projects</th>${WINDOWS.map(([, name]) => `<th>${name}</th>`).join('')}<th class="num">seen</th></tr>
    ${quota.users.map(u => `<tr data-user="${f.esc(u.userId)}"><td>${f.esc(u.userId)}</td><td>${f.esc(u.projects.join(', ') || '–')}</td>
      ${WINDOWS.map(([key]) => `<td class="quota-cell">${limit(u[key])}</td>`).join('')}<td class="num">${f.ago(u.updatedAt)}</td></tr>`).join('')}
    </table></div>`;
}

/** A gauge of the use, then when it resets, the burn rate and when the limit is hit at that rate. */
function limit(q) {
  if (!q) return '<span class="muted">no plan limit</span>';
  const used = Math.min(100, q.usedPercentage);
  const heat = q.usedPercentage >= 100 ? 'over' : q.usedPercentage >= 80 ? 'hot' : '';
  const burn = q.burnPerHour == null ? 'burn –' : `burn ${q.burnPerHour.toFixed(1)}%/h`;
  const hit = q.limitAt ? `limit ${f.clock(q.limitAt)}` : 'no limit before reset';
  return `<div class="gauge"><div class="fill ${heat}" style="width:${used}%"></div></div>
    <div class="gauge-text"><b>${f.percent(q.usedPercentage)}</b><span>resets ${f.clock(q.resetsAt)}</span></div>
    <div class="gauge-text"><span>${burn}</span><span class="limit-at">${hit}</span></div>`;
}
