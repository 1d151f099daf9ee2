// The only module that reads or writes the page (besides the drawing pad on its canvas).

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

// Looked up once: the template owns the structure, this module only fills it in.
/** The drawing surface, handed to the pad. */
export const drawingCanvas = byTestId('canvas');
/** The layer over the canvas that holds one box per digit read, handed to the pad. */
export const digitBoxes = document.querySelector('.pad__boxes');
const clearButton = byTestId('clear');
const undoButton = byTestId('undo');
const prediction = byTestId('prediction');
const numberValue = byTestId('number');
const statusLine = byTestId('status');
const resultSection = prediction.closest('.result');
const barsCaption = byTestId('bars-caption');
const bars = Array.from({ length: 10 }, (_, digit) => {
  const bar = byTestId(`prob-${digit}`);
  return { bar, fill: bar.querySelector('.bar__fill'), value: bar.querySelector('.bar__value') };
});
const preview = byTestId('preview');
const whyButton = byTestId('why');
const whyView = byTestId('why-view');
const whyMap = byTestId('why-map');
const correction = byTestId('correction');
const digitForm = byTestId('correct-digits');
const correctButtons = Array.from({ length: 10 }, (_, digit) => byTestId(`correct-${digit}`));
const numberForm = byTestId('correct-number-form');
const numberInput = byTestId('correct-number');
const numberSend = byTestId('correct-number-send');
const correctionStatus = byTestId('correction-status');
const correctionUndo = byTestId('correction-undo');

const IDLE_MESSAGE = 'Draw a digit to begin.';
const HELD_MESSAGE = 'Keep drawing…';
const BARS_CAPTION = 'Probability of each digit';
const CLOSEST_CAPTION = 'No digit: the closest ones were';
// A number longer than this gets a smaller headline, so it stays on one or two lines.
const SHORT_NUMBER = 4;

/**
 * Call the handlers on button presses and keyboard shortcuts (Escape, Ctrl/Cmd+Z).
 *
 * @param {{clear: function(): void, undo: function(): void}} handlers what the controls do
 */
export function bindControls({ clear, undo }) {
  clearButton.addEventListener('click', clear);
  undoButton.addEventListener('click', undo);
  document.addEventListener('keydown', (event) => {
    if (event.target === numberInput) return; // typing a number is not a shortcut
    if (event.key === 'Escape') {
      clear();
    } else if (
      event.key.toLowerCase() === 'z' &&
      (event.ctrlKey || event.metaKey) &&
      !event.shiftKey &&
      !event.altKey
    ) {
      event.preventDefault(); // the browser's own undo has nothing to undo here
      undo();
    }
  });
  whyButton.addEventListener('click', () => setWhyOpen(whyButton.getAttribute('aria-expanded') !== 'true'));
}

let reading = null; // the answer shown, whose digits the boxes select
let shown = null; // the digit result on the bars: the whole drawing's or the selected digit's
let corrected = false; // a correction is kept for this drawing: the row waits for undo or a change

/**
 * Wire the correction row: a digit button, a typed number, and the undo of a kept correction.
 *
 * @param {{digit: function(number): void, number: function(string): void,
 *   undo: function(): void}} handlers what pressing digit N, sending a number and undo do
 */
export function bindCorrection({ digit, number, undo }) {
  correctButtons.forEach((button, value) => {
    button.addEventListener('click', () => {
      // aria-disabled, not disabled: a pressed button keeps the keyboard's focus.
      if (button.getAttribute('aria-disabled') !== 'true') digit(value);
    });
  });
  numberForm.addEventListener('submit', (event) => {
    event.preventDefault();
    if (numberSend.getAttribute('aria-disabled') === 'true') return;
    const typed = numberInput.value.trim();
    if (!/^[0-9]{1,20}$/.test(typed)) {
      setCorrectionStatus('Type the number with digits only, 0 to 9 (at most 20).', true);
      numberInput.focus();
      return;
    }
    number(typed);
  });
  correctionUndo.addEventListener('click', undo);
}

/**
 * A correction is on its way: the row waits, so one press sends one correction.
 *
 * @param {string} label the digit or number the person gave
 */
export function showCorrectionSending(label) {
  setCorrectionEnabled(false);
  markChosen(label);
  setCorrectionStatus('Sending…', false);
}

/**
 * The server kept the correction: the headline shows the person's answer, the row offers an
 * undo until it expires.
 *
 * @param {string} label the digit or number the person gave
 */
export function showCorrectionThanks(label) {
  corrected = true;
  resultSection.dataset.state = 'corrected';
  setHeadline(label);
  announce(`You said ${label}, thank you!`, false);
  setCorrectionStatus('Kept, to teach the model.', false);
  correctionUndo.hidden = false;
}

/** The undo's time is up: the correction stays; focus stays in the row. */
export function endUndo() {
  const hadFocus = document.activeElement === correctionUndo;
  correctionUndo.hidden = true;
  if (corrected) setCorrectionStatus('Kept, to teach the model. Thank you!', false);
  if (hadFocus) chosenControl().focus();
}

/** The undo is on its way. */
export function showUndoSending() {
  correctionUndo.setAttribute('aria-disabled', 'true');
  setCorrectionStatus('Removing…', false);
}

/** The correction was deleted: back to the model's answer, which can be corrected afresh. */
export function showCorrectionUndone() {
  corrected = false;
  correctionUndo.hidden = true;
  correctionUndo.removeAttribute('aria-disabled');
  const focusBack = chosenControl();
  showAnswer();
  setCorrectionEnabled(true);
  markChosen(null);
  focusBack.focus();
  setCorrectionStatus('Correction removed.', false);
  announce(`Correction removed. ${statusLine.textContent}`, false);
}

/**
 * The correction (or its undo) did not go through: say why, and let the person try again.
 *
 * @param {string} message what went wrong, for people
 */
export function showCorrectionError(message) {
  correctionUndo.removeAttribute('aria-disabled');
  if (!corrected) {
    setCorrectionEnabled(true);
    markChosen(null);
  }
  setCorrectionStatus(message, true);
  announce(message, true);
}

function setCorrectionEnabled(enabled) {
  for (const button of [...correctButtons, numberSend]) {
    button.setAttribute('aria-disabled', String(!enabled));
  }
  numberInput.readOnly = !enabled;
}

function markChosen(label) {
  correctButtons.forEach((button, digit) => {
    button.setAttribute('aria-pressed', String(label === String(digit)));
  });
}

/** Where focus rests in the row when the undo button goes: the pressed digit, or the field. */
function chosenControl() {
  if (!numberForm.hidden) return numberInput;
  return correctButtons.find((button) => button.getAttribute('aria-pressed') === 'true') ?? correctButtons[0];
}

function setCorrectionStatus(text, isError) {
  correctionStatus.classList.toggle('status--error', isError);
  correctionStatus.textContent = text;
}

/**
 * Show the server's one reading: its verdict says what is shown. A number is the headline,
 * with a box around each digit on the canvas and the first digit's bars until another is
 * chosen; a digit, an unsure digit or a drawing that is no digit is shown alone.
 *
 * @param {{verdict: string, reason?: string, runner_up?: number, number: string,
 *   digits: {digit: number, confidence: number, probabilities: number[], box: number[],
 *   input: number[][]}[]}} answer the server's answer (/api/predict with `Prefer: read`)
 * @param {number} side the side of the drawing sent, in px: what the boxes are measured in
 */
export function showReading(answer, side) {
  reading = answer;
  corrected = false;
  const several = answer.verdict === 'number';
  digitBoxes.replaceChildren(...(several ? placeBoxes(answer.digits, side) : []));
  showAnswer();
  // A new answer is for a new drawing: it can be corrected afresh, a number as a number.
  const asNumber = several || answer.reason === 'not_a_number';
  correction.hidden = false;
  digitForm.hidden = asNumber;
  numberForm.hidden = !asNumber;
  numberInput.value = several ? answer.number : '';
  setCorrectionEnabled(true);
  markChosen(null);
  correctionUndo.hidden = true;
  setCorrectionStatus('', false);
}

function showAnswer() {
  resultSection.dataset.state = reading.verdict;
  if (reading.verdict === 'number') {
    setHeadline(reading.number);
    select(0);
  } else {
    // The whole drawing's answer: its digit, or none (and why), with its bars and preview.
    setHeadline(null);
    showResult({ ...reading, ...(reading.digits[0] ?? {}) }, reading);
  }
}

/** The big figure: a number, or nothing (the digit element then holds the headline). */
function setHeadline(number) {
  const isNumber = number !== null && number.length > 1;
  numberValue.hidden = !isNumber;
  numberValue.textContent = isNumber ? number : '';
  numberValue.classList.toggle('answer__number--long', isNumber && number.length > SHORT_NUMBER);
  if (number !== null && !isNumber) prediction.textContent = number;
  if (isNumber && resultSection.dataset.state === 'corrected') prediction.textContent = '';
}

/**
 * Boxes around the digits, in % of the canvas. Each gets a little room, but never past the
 * middle of the gap to its neighbour, so no two boxes overlap.
 */
function placeBoxes(digits, side) {
  const room = 0.015 * side;
  const edges = digits.map(({ box: [x, y, width, height] }) => ({
    left: x - room,
    right: x + width + room,
    top: y - room,
    bottom: y + height + room,
  }));
  for (let i = 1; i < edges.length; i += 1) {
    const [before, after] = [edges[i - 1], edges[i]];
    if (before.right > after.left) {
      const middle = (digits[i - 1].box[0] + digits[i - 1].box[2] + digits[i].box[0]) / 2;
      before.right = Math.min(before.right, middle - 1);
      after.left = Math.max(after.left, middle + 1);
    }
  }
  return digits.map((digit, index) => box(digit, index, edges[index], side));
}

function box(digit, index, { left, right, top, bottom }, side) {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = 'digit-box';
  element.dataset.testid = `digit-box-${index}`;
  const shown = digit.digit === null ? '?' : String(digit.digit);
  element.setAttribute('aria-label', `Digit ${index + 1}, read as ${shown}: show its bars`);
  const percent = (value) => `${(value / side) * 100}%`;
  // CSSOM, which the Content-Security-Policy allows (a style attribute it does not).
  Object.assign(element.style, {
    left: percent(left),
    top: percent(top),
    width: percent(right - left),
    height: percent(bottom - top),
  });
  // The tag goes above its box, or below it when there is no room above.
  element.classList.toggle('digit-box--tag-below', top < 0.08 * side);
  const tag = document.createElement('span');
  tag.className = 'digit-box__tag';
  tag.textContent = shown;
  tag.setAttribute('aria-hidden', 'true');
  element.append(tag);
  element.addEventListener('click', () => select(index));
  return element;
}

function select(index) {
  digitBoxes.querySelectorAll('.digit-box').forEach((element, i) => {
    element.setAttribute('aria-pressed', String(i === index));
  });
  const count = reading.digits.length;
  const digit = reading.digits[index];
  const sentence = `Digit ${index + 1} of ${count}: ${article(digit.digit)} (${percent(
    digit.confidence,
  )} sure).`;
  // The number is in the headline for the eye; the ear hears it with the sentence.
  showResult(digit, { verdict: 'digit' }, sentence, `The number ${reading.number}. `);
}

function showResult(result, { verdict, reason }, sentence = null, spoken = '') {
  shown = { ...result, verdict };
  // Unsure names two digits and claims neither; not a digit claims none.
  const winner = verdict === 'digit' ? result.digit : null;
  prediction.textContent = winner === null ? '' : String(winner);
  result.probabilities.forEach((probability, digit) => {
    setBar(digit, probability, digit === winner);
  });
  barsCaption.textContent = verdict === 'not_a_digit' ? CLOSEST_CAPTION : BARS_CAPTION;
  drawPixels(preview, result.input, null);
  // The why-view explains a digit's answer; a drawing that is no digit has none to explain.
  const explainable = verdict !== 'not_a_digit' && Array.isArray(result.explanation);
  whyButton.disabled = !explainable;
  if (!explainable) setWhyOpen(false);
  else if (whyButton.getAttribute('aria-expanded') === 'true') drawWhy();
  announce(sentence ?? describe(verdict, reason, result), false, spoken);
}

function describe(verdict, reason, result) {
  if (verdict === 'unsure') {
    return `Not sure — ${article(result.digit)} or ${article(result.runner_up)}?`;
  }
  if (verdict !== 'digit') {
    // The bars stay: they show which digits it was closest to.
    return reason === 'not_a_number'
      ? "That doesn't look like a number: some marks aren't digits."
      : "That doesn't look like a digit. Try 0 to 9.";
  }
  return `Looks like ${article(result.digit)} (${percent(result.confidence)} sure).`;
}

/** "a 7", "an 8". */
function article(digit) {
  return `${digit === 8 ? 'an' : 'a'} ${digit}`;
}

/**
 * The sentence beside the headline: the page's one live region, so each answer is heard once.
 * `spoken` goes before it for screen readers only (what the headline shows the eye).
 */
function announce(text, isError, spoken = '') {
  statusLine.classList.toggle('status--error', isError);
  const hidden = document.createElement('span');
  hidden.className = 'visually-hidden';
  hidden.textContent = spoken;
  statusLine.replaceChildren(...(spoken ? [hidden] : []), text);
}

/**
 * Hold back a "not a digit" while the person may still be drawing: the first stroke of a 4 is
 * no digit yet.
 */
export function showHeld() {
  resultSection.dataset.state = 'held';
  announce(HELD_MESSAGE, false);
}

/**
 * Show a failure as a sentence; the last answer gives way so it is not mistaken for this one.
 *
 * @param {string} message what went wrong, for people
 */
export function showError(message) {
  clearAnswer();
  resultSection.dataset.state = 'error';
  announce(message, true);
}

/**
 * Mark the answer as being worked on (dims it), or as up to date.
 *
 * @param {boolean} busy whether a request is in flight or an answer is held back
 */
export function showBusy(busy) {
  resultSection.classList.toggle('result--busy', busy);
  // The boxes belong to the drawing before this change: gone until its own answer comes.
  if (busy) digitBoxes.replaceChildren();
  resultSection.setAttribute('aria-busy', String(busy));
  const nothingShown = prediction.textContent === '' && numberValue.hidden;
  if (busy && nothingShown && resultSection.dataset.state !== 'held') announce('Thinking…', false);
}

/** Back to the empty page: no digit, empty bars, blank preview, the opening sentence. */
export function reset() {
  clearAnswer();
  resultSection.dataset.state = 'empty';
  announce(IDLE_MESSAGE, false);
}

function clearAnswer() {
  correction.hidden = true;
  reading = null;
  shown = null;
  corrected = false;
  setHeadline(null);
  digitBoxes.replaceChildren();
  prediction.textContent = '';
  for (let digit = 0; digit < 10; digit += 1) setBar(digit, 0, false);
  barsCaption.textContent = BARS_CAPTION;
  drawPixels(preview, null, null);
  whyButton.disabled = true;
  setWhyOpen(false);
}

function setBar(digit, probability, isWinner) {
  const { bar, fill, value } = bars[digit];
  bar.dataset.probability = String(probability);
  bar.classList.toggle('bar--winner', isWinner);
  // element.style is CSSOM, which the Content-Security-Policy allows; style="" is not.
  fill.style.transform = `scaleY(${Math.max(0, Math.min(1, probability))})`;
  value.textContent = percent(probability);
}

function percent(probability) {
  const value = probability * 100;
  return value > 0 && value < 1 ? '<1%' : `${Math.round(value)}%`;
}

function setWhyOpen(open) {
  whyButton.setAttribute('aria-expanded', String(open));
  whyView.hidden = !open;
  if (open) drawWhy();
}

function drawWhy() {
  drawPixels(whyMap, shown?.input, shown?.explanation);
}

function drawPixels(canvas, input, explanation) {
  const ctx = canvas.getContext('2d');
  const image = ctx.createImageData(canvas.width, canvas.height);
  // The occlusion map tints the ink: red where hiding it lowers the answer's probability (the
  // evidence for it), blue where hiding it raises it; scaled to the strongest region.
  const strongest = explanation ? Math.max(1e-6, ...explanation.flat().map(Math.abs)) : 1;
  for (let y = 0; y < canvas.height; y += 1) {
    for (let x = 0; x < canvas.width; x += 1) {
      const ink = input && input[y] ? Number(input[y][x]) || 0 : 0;
      // Ink as dark on white, like the drawing it came from.
      const shade = 255 * (1 - Math.max(0, Math.min(1, ink)));
      const why = explanation && explanation[y] ? Number(explanation[y][x]) / strongest || 0 : 0;
      const heat = Math.min(1, Math.abs(why)) * 0.75;
      const [r, g, b] = why > 0 ? [220, 40, 40] : [40, 90, 220];
      const i = 4 * (y * canvas.width + x);
      image.data[i] = Math.round(shade + (r - shade) * heat);
      image.data[i + 1] = Math.round(shade + (g - shade) * heat);
      image.data[i + 2] = Math.round(shade + (b - shade) * heat);
      image.data[i + 3] = 255;
    }
  }
  ctx.putImageData(image, 0, 0);
}

reset();
