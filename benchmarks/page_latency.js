// Injected by benchmarks/serving.py as a Playwright init script, before the page's own scripts.
// For each stroke: the time from its end (pointerup) to the new answer in the DOM, and where
// it goes: pointerup -> request sent (mostly the PNG export), the request, answer -> DOM.
// The benchmark reads window.__latencies, window.__answers and window.__parts (all in ms).

window.__latencies = [];
window.__answers = [];
window.__parts = [];

document.addEventListener('DOMContentLoaded', () => {
  const byId = (id) => document.querySelector(`[data-testid="${id}"]`);
  const prediction = byId('prediction');
  let strokeEnd = null;

  // Capturing, so it runs before the page's own pointerup handler starts the request.
  byId('canvas').addEventListener('pointerup', () => {
    strokeEnd = performance.now();
  }, { capture: true });

  // Clear empties the answer, so the next non-empty one is the answer to this stroke.
  const observer = new MutationObserver(() => {
    if (strokeEnd === null || prediction.textContent === '') return;
    const now = performance.now();
    const request = performance.getEntriesByType('resource')
      .filter((entry) => entry.name.endsWith('/api/read')).at(-1);
    window.__latencies.push(now - strokeEnd);
    window.__answers.push(prediction.textContent);
    window.__parts.push(request
      ? [request.startTime - strokeEnd, request.responseEnd - request.startTime,
        now - request.responseEnd]
      : [NaN, NaN, NaN]);
    performance.clearResourceTimings();
    strokeEnd = null;
  });
  observer.observe(prediction, { childList: true, characterData: true, subtree: true });
  for (let digit = 0; digit < 10; digit += 1) {
    observer.observe(byId(`prob-${digit}`),
      { attributes: true, attributeFilter: ['data-probability'] });
  }
});
