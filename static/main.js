// Wiring: strokes in, readings out, with one request in flight and no stale answers.

import { predict, sendCorrection } from './api.js';
import { EXPORT_SIDE, createPad } from './canvas.js';
import * as ui from './ui.js';

// Bumped on every change to the drawing; an answer is shown only if asked for the current one.
let version = 0;
let inFlight = false;
// A change came while a request was in flight: ask again for the latest drawing afterwards.
let askAgain = false;

const pad = createPad(ui.drawingCanvas, {
  onStrokeEnd: drawingChanged,
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

ui.bindCorrection(async (digit) => {
  const asked = version;
  ui.showCorrectionSending();
  try {
    await sendCorrection(pad.toPNG(), digit);
    if (asked === version) ui.showCorrectionThanks(digit);
  } catch (error) {
    if (asked === version) ui.showCorrectionError(readable(error));
  }
});

function drawingChanged() {
  version += 1;
  if (pad.isEmpty()) {
    // Nothing to classify; a late answer for the old drawing fails the version check.
    askAgain = false;
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
    if (asked === version) ui.showReading(reading, EXPORT_SIDE);
  } catch (error) {
    if (asked === version) ui.showError(readable(error));
  } finally {
    inFlight = false;
    ui.showBusy(false);
    if (askAgain) {
      askAgain = false;
      if (!pad.isEmpty()) askForPrediction();
    }
  }
}

function readable(error) {
  // ApiError messages are written for people; anything else gets a generic sentence.
  return error.name === 'ApiError'
    ? error.message
    : 'Something went wrong on this page. Please try again.';
}
