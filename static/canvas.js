// The drawing pad: pointer input, strokes kept as polylines, redraw and PNG export.

// What is sent is always dark ink on white paper, as the model learned; the pad on screen takes
// its colours from the page's (--canvas-ink, --canvas-paper), light on dark in dark mode.
const INK = '#111827';
const PAPER = '#ffffff';
// MNIST's strokes are about a tenth of a digit's height: a twentieth of the canvas is that on a
// digit half the canvas high. A fourteenth ran the strokes of small digits and long numbers
// together (chosen on validation seed 2: docs/experiments/page-pen.md).
const BRUSH_RATIO = 1 / 20;
/** Side of the PNG sent to the server: it shrinks every drawing to 28x28, and 280 px (MNIST's
 * 10x) keeps the anti-aliasing. Boxes in the server's answers are in these pixels. */
export const EXPORT_SIDE = 280;
// A press on the overlay (a digit's box) that moves further than this, in CSS px, draws.
const DRAG_SLOP = 4;

/**
 * Turn a canvas into a drawing pad for mouse, touch and pen.
 *
 * Points are stored in [0, 1] canvas coordinates, so the drawing survives a resize and
 * Undo can redraw every stroke but the last at whatever size the canvas has now.
 *
 * @param {HTMLCanvasElement} canvas the drawing surface (sized by CSS)
 * @param {{onStrokeStart: ?function(): void, onStrokeEnd: function(): void,
 *   overlay: ?HTMLElement}} options onStrokeStart and onStrokeEnd are called as each stroke
 *   begins and ends; overlay holds clickable elements over the canvas
 *   (digit boxes): a press on one stays a click, unless it moves, when it draws.
 * @returns {{clear: function(): void, undo: function(): boolean, isEmpty: function(): boolean,
 *   toPNG: function(): Blob, strokesInPNG: function(): number[][][]}} the pad's controls
 */
export function createPad(canvas, { onStrokeStart = () => {}, onStrokeEnd, overlay = null }) {
  const ctx = canvas.getContext('2d');
  /** @type {{pointerId: number, points: number[][]}[]} */
  const strokes = [];
  let current = null; // the stroke under the pointer, or null between strokes
  let side = 1; // the canvas's CSS width in px
  // Never shown: the drawing redrawn at the size sent to the server.
  const exportCanvas = document.createElement('canvas');
  exportCanvas.width = EXPORT_SIDE;
  exportCanvas.height = EXPORT_SIDE;
  const exportCtx = exportCanvas.getContext('2d');

  function resize() {
    const rect = canvas.getBoundingClientRect();
    if (rect.width === 0) return; // hidden: keep the last size
    const ratio = window.devicePixelRatio || 1;
    side = rect.width;
    // A backing store of CSS size x devicePixelRatio keeps lines sharp on high-DPI screens.
    canvas.width = Math.round(rect.width * ratio);
    canvas.height = Math.round(rect.height * ratio);
    ctx.setTransform(canvas.width / rect.width, 0, 0, canvas.height / rect.height, 0, 0);
    redraw();
  }

  let colours = { ink: INK, paper: PAPER }; // the pad's on screen, read from the page's style

  function readColours() {
    const style = getComputedStyle(canvas);
    colours = {
      ink: style.getPropertyValue('--canvas-ink').trim() || INK,
      paper: style.getPropertyValue('--canvas-paper').trim() || PAPER,
    };
  }

  function redraw() {
    paint(ctx, side, strokes, colours);
  }

  function pointAt(event) {
    const rect = canvas.getBoundingClientRect();
    return [(event.clientX - rect.left) / rect.width, (event.clientY - rect.top) / rect.height];
  }

  function extend(points) {
    current.points.push(...points);
    // Repainting whole polylines avoids the seams that overlapping segment caps leave.
    redraw();
  }

  function finish(event) {
    if (!current || event.pointerId !== current.pointerId) return;
    current = null;
    onStrokeEnd();
  }

  function start(event, point) {
    canvas.setPointerCapture(event.pointerId);
    current = { pointerId: event.pointerId, points: [point] };
    strokes.push(current);
    redraw();
    onStrokeStart();
  }

  canvas.addEventListener('pointerdown', (event) => {
    // One stroke at a time: a second finger or a right click is not ink.
    if (current || event.button !== 0) return;
    event.preventDefault();
    start(event, pointAt(event));
  });

  // A press on the overlay waits: released in place it is the element's click; moved, it is a
  // stroke from where it began (a 4's stem starts inside the box of the 4's first stroke).
  let pressed = null;
  overlay?.addEventListener('pointerdown', (event) => {
    if (current || event.button !== 0) return;
    pressed = { pointerId: event.pointerId, x: event.clientX, y: event.clientY, at: pointAt(event) };
  });
  overlay?.addEventListener('pointermove', (event) => {
    if (!pressed || event.pointerId !== pressed.pointerId) return;
    if (Math.hypot(event.clientX - pressed.x, event.clientY - pressed.y) < DRAG_SLOP) return;
    start(event, pressed.at); // captured: the canvas gets the rest, and no click follows
    pressed = null;
    extend([pointAt(event)]);
  });
  overlay?.addEventListener('pointerup', () => {
    pressed = null;
  });

  canvas.addEventListener('pointermove', (event) => {
    if (!current || event.pointerId !== current.pointerId) return;
    // Coalesced events hold the points the browser merged between frames: smoother curves.
    const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [];
    extend((events.length ? events : [event]).map(pointAt));
  });

  canvas.addEventListener('pointerup', finish);
  canvas.addEventListener('pointercancel', finish);
  // Should capture be taken away without a pointerup, the stroke still ends.
  canvas.addEventListener('lostpointercapture', finish);

  new ResizeObserver(resize).observe(canvas);
  window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    readColours();
    redraw();
  });
  readColours();
  resize();

  return {
    /** Forget every stroke and paint the canvas white. */
    clear() {
      strokes.length = 0;
      current = null;
      redraw();
    },
    /** Remove the last stroke; returns false when there was none. */
    undo() {
      if (current) return false; // mid-stroke: the stroke is not finished yet
      if (!strokes.length) return false;
      strokes.pop();
      redraw();
      return true;
    },
    isEmpty: () => strokes.length === 0,
    /** The drawing now, as an EXPORT_SIDE px square PNG (dark ink on white). */
    toPNG() {
      // Encoded synchronously: toBlob and convertToBlob wait for idle time, which in
      // Chromium delayed requests by 1 to 6 seconds.
      exportCtx.setTransform(EXPORT_SIDE / side, 0, 0, EXPORT_SIDE / side, 0, 0);
      paint(exportCtx, side, strokes, { ink: INK, paper: PAPER });
      const base64 = exportCanvas.toDataURL('image/png').split(',')[1];
      const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
      return new Blob([bytes], { type: 'image/png' });
    },
    /** The strokes in the order drawn, as [x, y] points in toPNG's pixels, a point kept where
     * the pen moved a pixel or more: the server reads a number's digits apart by them where
     * their ink overlaps. */
    strokesInPNG() {
      const inPNG = (value) => Math.round(value * EXPORT_SIDE * 10) / 10;
      return strokes.map(({ points }) => {
        const kept = [];
        for (const [x, y] of points) {
          const point = [inPNG(x), inPNG(y)];
          const last = kept[kept.length - 1];
          if (!last || Math.hypot(point[0] - last[0], point[1] - last[1]) >= 1) kept.push(point);
        }
        return kept;
      });
    },
  };
}

function paint(ctx, side, strokes, { ink, paper }) {
  ctx.fillStyle = paper;
  ctx.fillRect(0, 0, side, side);
  ctx.fillStyle = ink;
  ctx.strokeStyle = ink;
  ctx.lineWidth = side * BRUSH_RATIO;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const { points } of strokes) {
    // A tap is a stroke too, and canvases skip zero-length lines: every stroke starts with a dot.
    const [x, y] = points[0];
    ctx.beginPath();
    ctx.arc(x * side, y * side, (side * BRUSH_RATIO) / 2, 0, 2 * Math.PI);
    ctx.fill();
    if (points.length === 1) continue;
    ctx.beginPath();
    ctx.moveTo(points[0][0] * side, points[0][1] * side);
    for (const [px, py] of points.slice(1)) ctx.lineTo(px * side, py * side);
    ctx.stroke();
  }
}
