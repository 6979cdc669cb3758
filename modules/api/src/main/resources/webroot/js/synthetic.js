// The "synthetic" toggle: sessions a load test simulated (contextwatch.synthetic=true) are left out of
// every fleet view unless the user asks for them. The choice is kept per browser.

const KEY = 'contextwatch.synthetic';
let shown = localStorage.getItem(KEY) === 'include';

export function included() {
  return shown;
}

/** The feed filter's and the API's synthetic value for the current choice. */
export function value() {
  return shown ? 'include' : 'exclude';
}

export function set(show) {
  shown = show;
  localStorage.setItem(KEY, value());
}

/** The API url, asking for synthetic sessions too when they are shown. */
export function query(url) {
  return shown ? url + (url.includes('?') ? '&' : '?') + 'synthetic=include' : url;
}
