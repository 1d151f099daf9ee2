// Wiring: strokes in, readings out, with one request in flight and no stale answers.

import { deleteCorrection, predict, sendCorrection } from './api.js';
import { EXPORT_SIDE, createPad } from './canvas.js';
import { createRhythm } from './rhythm.js';
import * as ui from './ui.js';

// Bumped on every change to the drawing; an answer is shown only if asked for the current one.
let version = 0;
let inFlight = false;
// A change came while a request was in flight: ask again for the latest drawing afterwards.
let askAgain = false;
let lastStrokeEnd = -Infinity; // performance.now() when the last stroke ended
// A half-drawn digit (the first stroke of a 4) is no digit yet: a "not a digit" waits for about
// this person's pause between strokes before it is shown.
const rhythm = createRhythm();
let holdTimer = null; // a "not a digit" waiting to be shown
let kept = null; // the correction of this drawing that can still be undone: {id, token, timer}

const pad = createPad(ui.drawingCanvas, {
  onStrokeStart() {
    rhythm.strokeStarted(performance.now());
    cancelHold(); // still drawing: a held answer is for a drawing about to change
  },
  onStrokeEnd() {
    lastStrokeEnd = performance.now();
    rhythm.strokeEnded(lastStrokeEnd);
    drawingChanged();
  },
  overlay: ui.digitBoxes,
});

ui.bindControls({
  clear() {
    pad.clear();
    drawingChanged();
  },
  undo() {
    if (pad.undo()) drawingChanged();
  },
});

ui.bindCorrection({
  digit: (digit) => correct(String(digit)),
  number: correct,
  undo: undoCorrection,
});

async function correct(label) {
  const asked = version;
  ui.showCorrectionSending(label);
  try {
    const answer = await sendCorrection(pad.toPNG(), label, pad.strokesInPNG());
    if (asked !== version) return;
    ui.showCorrectionThanks(label);
    if (answer.undoToken && answer.undoMs > 0) {
      const timer = setTimeout(forgetUndo, answer.undoMs);
      kept = { id: answer.id, token: answer.undoToken, timer };
    } else {
      ui.endUndo();
    }
  } catch (error) {
    if (asked === version) ui.showCorrectionError(readable(error));
  }
}

async function undoCorrection() {
  if (!kept) return;
  const { id, token } = kept;
  ui.showUndoSending();
  try {
    await deleteCorrection(id, token);
    if (kept?.id !== id) return; // the drawing changed meanwhile
    forgetUndo();
    ui.showCorrectionUndone();
  } catch (error) {
    if (kept?.id !== id) return;
    if (error.status === 410 || error.status === 404) forgetUndo(); // too late: it stays kept
    ui.showCorrectionError(readable(error));
  }
}

function forgetUndo() {
  if (!kept) return;
  clearTimeout(kept.timer);
  kept = null;
  ui.endUndo();
}

function drawingChanged() {
  version += 1;
  cancelHold();
  if (kept) {
    clearTimeout(kept.timer); // the correction belongs to the drawing before; it stays kept
    kept = null;
  }
  if (pad.isEmpty()) {
    // Nothing to classify; a late answer for the old drawing fails the version check.
    askAgain = false;
    ui.showBusy(inFlight);
    ui.reset();
    return;
  }
  askForPrediction();
}

async function askForPrediction() {
  if (inFlight) {
    askAgain = true;
    return;
  }
  inFlight = true;
  ui.showBusy(true);
  const asked = version;
  try {
    const reading = await predict(pad.toPNG(), pad.strokesInPNG());
    if (asked === version) present(reading);
  } catch (error) {
    if (asked === version) ui.showError(readable(error));
  } finally {
    inFlight = false;
    if (askAgain && !pad.isEmpty()) {
      askAgain = false;
      askForPrediction();
    } else {
      askAgain = false;
      ui.showBusy(holdTimer !== null);
    }
  }
}

/** Show a reading, but hold a "not a digit" back while the person may still be drawing. */
function present(reading) {
  const wait = rhythm.holdMs() - (performance.now() - lastStrokeEnd);
  if (reading.verdict !== 'not_a_digit' || wait <= 0) {
    ui.showReading(reading, EXPORT_SIDE);
    return;
  }
  ui.showHeld();
  holdTimer = setTimeout(() => {
    holdTimer = null;
    ui.showReading(reading, EXPORT_SIDE);
    ui.showBusy(inFlight);
  }, wait);
}

function cancelHold() {
  clearTimeout(holdTimer);
  holdTimer = null;
}

function readable(error) {
  // ApiError messages are written for people; anything else gets a generic sentence.
  return error.name === 'ApiError'
    ? error.message
    : 'Something went wrong on this page. Please try again.';
}
