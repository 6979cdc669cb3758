// Every session's tile summary (docs/websocket.md), loaded once from GET /api/v1/fleet and kept
// current by the fleet-wide live feed. A summary is replaced, never changed in place, so a view
// can tell what changed by identity. Views subscribe to changes and redraw at most once per
// animation frame, whatever the rate of frames.

import { onNextFrame } from './frame.js';

const sessions = new Map();
const listeners = new Set();
const frameListeners = new Set();
let afterRender = [];
let dirty = new Set();
let replaced = false;
let scheduled = false;
let loaded = false;
/** What the last snapshot said of the sessions it did not carry: {total, truncated}. */
let extent = { total: 0, truncated: false };

export function all() {
  return sessions.values();
}

export function get(id) {
  return sessions.get(id);
}

export function isLoaded() {
  return loaded;
}

export function size() {
  return sessions.size;
}

/** How many sessions the server has, and whether the snapshot left some out (its byte bound). */
export function snapshotExtent() {
  return extent;
}

/** listener(changedIds, replacedAll) once per animation frame after changes; returns an unsubscribe function. */
export function onChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** listener(frame) for every live frame, e.g. to refresh a chart when usage grows. */
export function onFrame(listener) {
  frameListeners.add(listener);
  return () => frameListeners.delete(listener);
}

/**
 * reload() once, delayMs after a live frame that wanted(frame) accepts, and not again before that
 * call: a view re-reads at most every delayMs while such frames come. Returns the unsubscribe
 * function, which also drops a re-read still waiting.
 */
export function reloadOnFrames(wanted, reload, delayMs) {
  let timer = null;
  const unsubscribe = onFrame(frame => {
    if (!timer && wanted(frame)) timer = setTimeout(() => { timer = null; reload(); }, delayMs);
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}

/** callback() once the views have drawn what the store holds now. */
export function whenRendered(callback) {
  afterRender.push(callback);
  schedule();
}

function changed(id) {
  dirty.add(id);
  schedule();
}

function schedule() {
  if (scheduled) return;
  scheduled = true;
  onNextFrame(flush);
}

function flush() {
  scheduled = false;
  const ids = dirty;
  const all = replaced;
  const callbacks = afterRender;
  dirty = new Set();
  replaced = false;
  afterRender = [];
  listeners.forEach(listener => listener(ids, all));
  callbacks.forEach(callback => callback());
}

/** Replaces every session with those of a snapshot (from the feed, or GET /api/v1/fleet). */
export function load(snapshot) {
  sessions.clear();
  for (const s of snapshot.sessions) sessions.set(s.sessionId, s);
  extent = { total: snapshot.total ?? snapshot.sessions.length, truncated: !!snapshot.truncated };
  loaded = true;
  replaced = true;
  changed(null);
}

/** Applies one frame of the fleet-wide feed. */
export function apply(frame) {
  switch (frame.type) {
    case 'snapshot':
      load(frame);
      break;
    case 'session.updated': {
      const previous = sessions.get(frame.sessionId);
      // the processor's summary carries no level: the checkpoint verticle's last word stays
      sessions.set(frame.sessionId, { ...frame.data, level: previous?.level ?? 'ok' });
      if (!previous) extent = { ...extent, total: extent.total + 1 };
      changed(frame.sessionId);
      break;
    }
    case 'session.status':
    case 'context.level': {
      const s = sessions.get(frame.sessionId);
      if (s) {
        sessions.set(frame.sessionId, frame.type === 'session.status' ? { ...s, status: frame.data.to } : { ...s, level: frame.data.to });
        changed(frame.sessionId);
      }
      break;
    }
    default:
      break;
  }
  if (frame.sessionId) frameListeners.forEach(listener => listener(frame));
}

/**
 * Sessions waiting for a person first, the longest waiting first (nothing moves until someone
 * answers); then running ones (an ended one is at no risk); then the least headroom: fewest
 * predicted requests, the fullest context.
 */
export function riskOrder(a, b) {
  const wa = a.status === 'waiting' ? 0 : 1;
  const wb = b.status === 'waiting' ? 0 : 1;
  if (wa !== wb) return wa - wb;
  if (!wa) {
    const since = (a.waiting?.since || '').localeCompare(b.waiting?.since || '');
    if (since) return since;
  }
  const la = running(a) ? 0 : 1;
  const lb = running(b) ? 0 : 1;
  if (la !== lb) return la - lb;
  const ra = a.context?.prediction?.requestsLeft ?? Infinity;
  const rb = b.context?.prediction?.requestsLeft ?? Infinity;
  if (ra !== rb) return ra - rb;
  const pa = a.context?.percentOfThreshold ?? -1;
  const pb = b.context?.percentOfThreshold ?? -1;
  if (pa !== pb) return pb - pa;
  return (b.lastReceivedAt || '').localeCompare(a.lastReceivedAt || '') || a.sessionId.localeCompare(b.sessionId);
}

/** Active: its CLI sent something in the last few minutes. Idle, stale and closed sessions make no requests. */
export function running(s) {
  return s.status === 'active';
}
