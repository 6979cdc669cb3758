// Drawing waits for the next animation frame, but frames do not come to a hidden tab or to a
// headless browser taking a screenshot: a timer stands in, whichever comes first runs.

const FALLBACK_MS = 100;

/** Runs {@code draw} once, at the next animation frame or after FALLBACK_MS, whichever is first. */
export function onNextFrame(draw) {
  let done = false;
  const run = () => {
    if (!done) {
      done = true;
      draw();
    }
  };
  requestAnimationFrame(run);
  setTimeout(run, FALLBACK_MS);
}
