// Hand-drawn SVG charts: a time-series line chart with markers, stacked bars, and nothing else.

import * as f from './format.js';

export const PALETTE = ['#4aa3ff', '#3fb950', '#e3a21a', '#a371f7', '#f47067', '#39c5cf', '#d2a8ff', '#8ddb8c', '#f69d50', '#96d0ff'];

const PAD = { top: 14, right: 16, bottom: 26, left: 58 };

/** Round tick values covering [min, max]. */
function ticks(min, max, count) {
  if (max <= min) max = min + 1;
  const raw = (max - min) / count;
  const step = 10 ** Math.floor(Math.log10(raw));
  const nice = [1, 2, 2.5, 5, 10].map(m => m * step).find(s => s >= raw);
  const out = [];
  for (let v = Math.ceil(min / nice) * nice; v <= max + nice * 1e-9; v += nice) out.push(v);
  return out;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [1, 5, 15, 30].map(s => s * SECOND).concat([1, 2, 5, 10, 15, 30].map(m => m * MINUTE),
  [1, 2, 3, 6, 12].map(h => h * HOUR), [1, 2, 7, 14, 30].map(d => d * DAY));

/** Time ticks on round local times (minutes, hours, midnights), at most {@code count} of them. */
function timeTicks(x0, x1, count) {
  const step = TIME_STEPS.find(s => (x1 - x0) / s <= count) || TIME_STEPS[TIME_STEPS.length - 1];
  let first;
  if (step >= DAY) {
    const midnight = new Date(x0);
    midnight.setHours(0, 0, 0, 0);
    first = midnight.getTime();
    while (first < x0) first += DAY;
  } else {
    const offset = new Date(x0).getTimezoneOffset() * MINUTE;
    first = Math.ceil((x0 - offset) / step) * step + offset;
  }
  const out = [];
  for (let t = first; t <= x1; t += step) out.push(t);
  const label = t => {
    const d = new Date(t);
    if (step >= DAY) return d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' });
    const time = d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: step < MINUTE ? '2-digit' : undefined, hour12: false });
    return x1 - x0 > DAY ? d.toLocaleDateString(undefined, { weekday: 'short' }) + ' ' + time : time;
  };
  return { ticks: out, label };
}

function frame(width, height, x0, x1, y1, yFormat) {
  const w = width - PAD.left - PAD.right;
  const h = height - PAD.top - PAD.bottom;
  const sx = x => PAD.left + (x1 === x0 ? w / 2 : (x - x0) / (x1 - x0) * w);
  const sy = y => PAD.top + h - y / y1 * h;
  const yTicks = ticks(0, y1, 4);
  const xTicks = timeTicks(x0, x1, Math.max(2, Math.floor(w / (x1 - x0 > DAY ? 120 : 100))));
  let svg = `<g class="grid">${yTicks.map(v => `<line x1="${PAD.left}" x2="${PAD.left + w}" y1="${sy(v)}" y2="${sy(v)}"/>`).join('')}</g>`;
  svg += yTicks.map(v => `<text x="${PAD.left - 8}" y="${sy(v) + 4}" text-anchor="end">${yFormat(v)}</text>`).join('');
  svg += `<g class="axis"><line x1="${PAD.left}" x2="${PAD.left + w}" y1="${PAD.top + h}" y2="${PAD.top + h}"/></g>`;
  // a label near either edge is anchored to it, so that it is not cut off
  const anchor = x => x < PAD.left + 40 ? 'start' : x > PAD.left + w - 40 ? 'end' : 'middle';
  svg += xTicks.ticks.map(v => `<text x="${sx(v)}" y="${height - 8}" text-anchor="${anchor(sx(v))}">${xTicks.label(v)}</text>`).join('');
  return { svg, sx, sy, w, h };
}

/**
 * A line chart over time. series: [{name, color, points: [[timeMs, value]], area}]; lines: horizontal
 * reference lines [{y, label, color}]; markers: vertical marks [{x, label, color, dash}].
 */
export function lineChart({ width, height, series, lines = [], markers = [], yFormat = f.tokens, yMax }) {
  const xs = series.flatMap(s => s.points.map(p => p[0])).concat(markers.map(m => m.x));
  if (!xs.length) return `<svg viewBox="0 0 ${width} ${height}"><text x="${width / 2}" y="${height / 2}" text-anchor="middle">no data yet</text></svg>`;
  const x0 = Math.min(...xs);
  const x1 = Math.max(...xs);
  const top = yMax ?? Math.max(1, ...series.flatMap(s => s.points.map(p => p[1])), ...lines.map(l => l.y)) * 1.08;
  const { svg: base, sx, sy, w } = frame(width, height, x0, x1, top, yFormat);
  let svg = base;
  for (const line of lines) {
    svg += `<line x1="${PAD.left}" x2="${PAD.left + w}" y1="${sy(line.y)}" y2="${sy(line.y)}" stroke="${line.color}" stroke-dasharray="5 4" stroke-width="1.2"/>`
      + `<text x="${PAD.left + 4}" y="${sy(line.y) - 5}" style="fill:${line.color}">${f.esc(line.label)}</text>`;
  }
  for (const m of markers) {
    // a label near the right edge goes to the left of its line
    const right = sx(m.x) > PAD.left + w - 90;
    svg += `<line x1="${sx(m.x)}" x2="${sx(m.x)}" y1="${PAD.top}" y2="${sy(0)}" stroke="${m.color}" stroke-width="1.2"${m.dash ? ' stroke-dasharray="3 3"' : ''}/>`
      + `<text x="${sx(m.x) + (right ? -4 : 4)}" y="${PAD.top + 10}" text-anchor="${right ? 'end' : 'start'}" style="fill:${m.color}">${f.esc(m.label)}</text>`;
  }
  for (const s of series) {
    if (!s.points.length) continue;
    const path = s.points.map((p, i) => `${i ? 'L' : 'M'}${sx(p[0]).toFixed(1)},${sy(p[1]).toFixed(1)}`).join('');
    if (s.area) {
      svg += `<path d="${path}L${sx(s.points[s.points.length - 1][0]).toFixed(1)},${sy(0)}L${sx(s.points[0][0]).toFixed(1)},${sy(0)}Z" fill="${s.color}" opacity=".12"/>`;
    }
    svg += `<path d="${path}" fill="none" stroke="${s.color}" stroke-width="1.8" stroke-linejoin="round"/>`;
    if (s.dots) {
      svg += s.points.map(p => `<circle cx="${sx(p[0]).toFixed(1)}" cy="${sy(p[1]).toFixed(1)}" r="2.2" fill="${s.color}"/>`).join('');
    }
  }
  return `<svg viewBox="0 0 ${width} ${height}">${svg}</svg>`;
}

/** A few buckets are drawn as bars among empty slots, the latest at the right end: one bar never fills the chart. */
const MIN_SLOTS = 12;

/**
 * Stacked bars per time bucket. buckets: [{start, end}] in ms, a bucket's own span (months and days
 * differ in length); groups: [{name, color, values: [number per bucket]}]. The time axis runs from
 * the first bucket's start (or MIN_SLOTS buckets earlier) to the last one's end, so buckets without
 * data show as gaps.
 */
export function stackedBars({ width, height, buckets, groups, yFormat }) {
  if (!buckets.length) return `<svg viewBox="0 0 ${width} ${height}"><text x="${width / 2}" y="${height / 2}" text-anchor="middle">no requests in this range</text></svg>`;
  const totals = buckets.map((_, i) => groups.reduce((sum, g) => sum + g.values[i], 0));
  const x1 = buckets[buckets.length - 1].end;
  const x0 = Math.min(buckets[0].start, x1 - MIN_SLOTS * (buckets[0].end - buckets[0].start));
  const { svg: base, sx, sy } = frame(width, height, x0, x1, Math.max(...totals) * 1.08 || 1, yFormat);
  let svg = base;
  buckets.forEach((b, i) => {
    const x = sx(b.start);
    const barWidth = Math.max(1, sx(b.end) - x - Math.min(1.5, (sx(b.end) - x) * 0.15));
    let stacked = 0;
    for (const g of groups) {
      const v = g.values[i];
      if (!v) continue;
      const y = sy(stacked + v);
      svg += `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${barWidth.toFixed(1)}" height="${(sy(stacked) - y).toFixed(1)}" fill="${g.color}"><title>${f.esc(g.name)}: ${yFormat(v)}</title></rect>`;
      stacked += v;
    }
  });
  return `<svg viewBox="0 0 ${width} ${height}">${svg}</svg>`;
}

export function legend(items) {
  return `<div class="legend">${items.map(i => `<span><i style="background:${i.color}"></i>${f.esc(i.name)}</span>`).join('')}</div>`;
}
