// Number, time and text formatting shared by every view.

export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, c => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
}

export function tokens(n) {
  if (n == null) return '–';
  const abs = Math.abs(n);
  const scaled = (value, unit) => parseFloat(value.toFixed(Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2)) + unit;
  if (abs >= 1e9) return scaled(n / 1e9, 'B');
  if (abs >= 1e6) return scaled(n / 1e6, 'M');
  if (abs >= 1e3) return scaled(n / 1e3, 'k');
  return String(Math.round(n));
}

/** A cost in whole micro-dollars, so that thousands of costs add up exactly (summaries written before carry costUsd alone). */
export function costMicros(totals) {
  return totals?.costMicros ?? Math.round((totals?.costUsd || 0) * 1e6);
}

export function cost(usd) {
  if (usd == null) return '–';
  if (usd >= 1000) return '$' + Math.round(usd).toLocaleString('en-US');
  if (usd >= 100) return '$' + usd.toFixed(0);
  if (usd >= 0.01 || usd === 0) return '$' + usd.toFixed(2);
  return '$' + usd.toFixed(4);
}

export function integer(n) {
  return n == null ? '–' : Math.round(n).toLocaleString('en-US');
}

export function percent(p) {
  return p == null ? '–' : (p >= 100 ? p.toFixed(0) : p.toFixed(1)) + '%';
}

export function ago(iso, now = Date.now()) {
  if (!iso) return '–';
  const s = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (s < 60) return Math.floor(s) + 's ago';
  if (s < 3600) return Math.floor(s / 60) + 'm ago';
  if (s < 86400) return Math.floor(s / 3600) + 'h ago';
  return Math.floor(s / 86400) + 'd ago';
}

/** A span of seconds in its natural unit: 45 s, 12 min, 3.5 h, 2.0 d. */
export function duration(seconds) {
  if (seconds == null) return '–';
  if (seconds < 60) return Math.round(seconds) + ' s';
  if (seconds < 3600) return Math.round(seconds / 60) + ' min';
  if (seconds < 48 * 3600) return (seconds / 3600).toFixed(1) + ' h';
  return (seconds / 86400).toFixed(1) + ' d';
}

export function minutes(m) {
  if (m == null) return null;
  if (m < 1) return '<1 min';
  if (m < 90) return Math.round(m) + ' min';
  if (m < 60 * 48) return (m / 60).toFixed(1) + ' h';
  return Math.round(m / 1440) + ' d';
}

export function clock(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return d.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function shortId(id) {
  return id ? (id.startsWith('pseudo:') ? id : id.slice(0, 8)) : '';
}

export function sessionName(s) {
  return s.label || shortId(s.sessionId);
}

/** Input, output and both cache kinds: what a session or a bucket consumed. */
export function allTokens(t) {
  return t ? (t.inputTokens || 0) + (t.outputTokens || 0) + (t.cacheReadTokens || 0) + (t.cacheCreationTokens || 0) : 0;
}
