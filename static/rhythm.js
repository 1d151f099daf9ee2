// How long this person pauses between the strokes of one drawing, learnt as they draw: a "not a
// digit" is held back for about that long after a stroke, in case another stroke is coming.

// Until a few pauses are known: moving a mouse or pen half the pad's width to start the next
// stroke takes about half a second to a second (docs/experiments/page-hold.md).
const FIRST_HOLD_MS = 900;
const SHORTEST_MS = 400;
const LONGEST_MS = 1500;
// A longer pause is the end of a drawing and a new start, not a pause inside one.
const LONGEST_PAUSE_MS = 3000;
const REMEMBERED = 12; // the latest pauses: the rhythm of now, not of an hour ago
const ENOUGH = 3;
// Twice the usual pause: most of one person's pauses are well under twice their median.
const MARGIN = 2;

/** @returns {{strokeStarted: function(number): void, strokeEnded: function(number): void,
 *   holdMs: function(): number}} a rhythm that learns from the times given, in ms */
export function createRhythm() {
  const pauses = [];
  let lastEnd = null;
  return {
    strokeStarted(now) {
      if (lastEnd !== null && now - lastEnd <= LONGEST_PAUSE_MS) {
        pauses.push(now - lastEnd);
        if (pauses.length > REMEMBERED) pauses.shift();
      }
    },
    strokeEnded(now) {
      lastEnd = now;
    },
    /** How long after a stroke ends a "not a digit" waits before it is shown. */
    holdMs() {
      if (pauses.length < ENOUGH) return FIRST_HOLD_MS;
      const sorted = [...pauses].sort((a, b) => a - b);
      const median = sorted[Math.floor(sorted.length / 2)];
      return Math.min(LONGEST_MS, Math.max(SHORTEST_MS, MARGIN * median));
    },
  };
}
