// The only module that reads or writes the page (besides the drawing pad on its canvas).

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);

// Looked up once: the template owns the structure, this module only fills it in.
/** The drawing surface, handed to the pad. */
export const drawingCanvas = byTestId('canvas');
const clearButton = byTestId('clear');
const undoButton = byTestId('undo');
const prediction = byTestId('prediction');
const statusLine = byTestId('status');
const preview = byTestId('preview');
const numberValue = byTestId('number');
const numberRow = numberValue.closest('.number');
/** The layer over the canvas that holds one box per digit read, handed to the pad. */
export const digitBoxes = document.querySelector('.pad__boxes');
const previewCtx = preview.getContext('2d');
const previewCaption = preview.closest('figure').querySelector('figcaption');
const resultSection = prediction.closest('.result');
const bars = Array.from({ length: 10 }, (_, digit) => {
  const bar = byTestId(`prob-${digit}`);
  return { bar, fill: bar.querySelector('.bar__fill'), value: bar.querySelector('.bar__value') };
});
const correction = byTestId('correction');
const correctionStatus = byTestId('correction-status');
const correctButtons = Array.from({ length: 10 }, (_, digit) => byTestId(`correct-${digit}`));

const IDLE_MESSAGE = 'Draw a digit to begin.';
const PLAIN_CAPTION =
  'What the model sees: your drawing shrunk to 28×28 pixels and centred by its mass, ' +
  'like the MNIST digits it learned from.';
const EXPLAINED_CAPTION =
  'What the model sees, and why: red marks the strokes that made its answer (hiding them ' +
  'lowers its confidence), blue the parts that argue against it.';

/**
 * Call the handlers on button presses and keyboard shortcuts (Escape, Ctrl/Cmd+Z).
 *
 * @param {{clear: function(): void, undo: function(): void}} handlers what the controls do
 */
export function bindControls({ clear, undo }) {
  clearButton.addEventListener('click', clear);
  undoButton.addEventListener('click', undo);
  document.addEventListener('keydown', (event) => {
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
}

let reading = null; // the answer shown, whose digits the boxes select

/**
 * Call onCorrect(digit) when the person presses one of the "Wrong? It was ..." buttons.
 *
 * @param {function(number): void} onCorrect what pressing digit N does
 */
export function bindCorrection(onCorrect) {
  correctButtons.forEach((button, digit) => {
    button.addEventListener('click', () => onCorrect(digit));
  });
}

/** A correction is on its way: the buttons wait, so one press sends one correction. */
export function showCorrectionSending() {
  setCorrectionButtons(false);
  setCorrectionStatus('Sending…', false);
}

/**
 * The server kept the correction: say thank you; the buttons stay off for this drawing.
 *
 * @param {number} digit the digit the person pressed
 */
export function showCorrectionThanks(digit) {
  setCorrectionStatus(`Thank you! Kept as a ${digit}, to teach the model.`, false);
}

/**
 * The correction was not kept: say why, and let the person try again.
 *
 * @param {string} message what went wrong, for people
 */
export function showCorrectionError(message) {
  setCorrectionButtons(true);
  setCorrectionStatus(message, true);
}

function setCorrectionButtons(enabled) {
  for (const button of correctButtons) button.disabled = !enabled;
}

function setCorrectionStatus(text, isError) {
  correctionStatus.classList.toggle('status--error', isError);
  correctionStatus.textContent = text;
}

/**
 * Show the server's one reading: its verdict says what is shown. A number is the headline,
 * with a box around each digit on the canvas and the first digit's bars until another is
 * chosen; a digit, an unsure digit or a drawing that is no digit is shown alone. One digit
 * can be corrected; a number cannot, as one label would not fit.
 *
 * @param {{verdict: string, reason?: string, runner_up?: number, number: string,
 *   digits: {digit: number, confidence: number, probabilities: number[], box: number[],
 *   input: number[][]}[]}} answer the server's answer (/api/predict with `Prefer: read`)
 * @param {number} side the side of the drawing sent, in px: what the boxes are measured in
 */
export function showReading(answer, side) {
  reading = answer;
  const several = answer.verdict === 'number';
  numberRow.hidden = !several;
  numberValue.textContent = several ? answer.number : '';
  digitBoxes.replaceChildren(...(several ? answer.digits.map((d, i) => box(d, i, side)) : []));
  if (several) {
    select(0);
  } else {
    // The whole drawing's answer: its digit, or none (and why), with its bars and preview.
    showResult({ ...answer, ...(answer.digits[0] ?? {}) }, '', answer);
  }
  // A new answer is for a new drawing: it can be corrected afresh.
  correction.hidden = several;
  setCorrectionButtons(true);
  setCorrectionStatus('', false);
}

function box(digit, index, side) {
  const [x, y, width, height] = digit.box.map((v) => (v / side) * 100);
  const element = document.createElement('button');
  element.type = 'button';
  element.className = 'digit-box';
  element.dataset.testid = `digit-box-${index}`;
  const shown = digit.digit === null ? '?' : String(digit.digit);
  element.setAttribute('aria-label', `Digit ${index + 1}, read as ${shown}: show its bars`);
  // A little room around the ink; CSSOM, which the Content-Security-Policy allows.
  Object.assign(element.style, {
    left: `${x - 1.5}%`,
    top: `${y - 1.5}%`,
    width: `${width + 3}%`,
    height: `${height + 3}%`,
  });
  const tag = document.createElement('span');
  tag.className = 'digit-box__tag';
  tag.textContent = shown;
  element.append(tag);
  element.addEventListener('click', () => select(index));
  return element;
}

function select(index) {
  digitBoxes.querySelectorAll('.digit-box').forEach((element, i) => {
    element.setAttribute('aria-pressed', String(i === index));
  });
  const count = reading.digits.length;
  showResult(reading.digits[index], `Digit ${index + 1} of ${count}: `, { verdict: 'digit' });
}

function showResult(result, prefix, { verdict, reason }) {
  // Unsure names two digits and claims neither; not a digit claims none.
  const winner = verdict === 'digit' ? result.digit : null;
  prediction.textContent = winner === null ? '' : String(winner);
  result.probabilities.forEach((probability, digit) => {
    setBar(digit, probability, digit === winner);
  });
  drawPreview(result.input, result.explanation);
  statusLine.classList.remove('status--error');
  statusLine.textContent = prefix + describe(verdict, reason, result);
}

function describe(verdict, reason, result) {
  if (verdict === 'unsure') {
    return `Not sure — ${article(result.digit)} or ${article(result.runner_up)}?`;
  }
  if (verdict !== 'digit') {
    // The bars stay: they show what the digit model would have said.
    return reason === 'not_a_number'
      ? "That doesn't look like a number: some of its marks aren't digits."
      : "That doesn't look like a digit. Try drawing one, 0 to 9.";
  }
  return `Looks like ${article(result.digit)} (${percent(result.confidence)} sure).`;
}

/** "a 7", "an 8". */
function article(digit) {
  return `${digit === 8 ? 'an' : 'a'} ${digit}`;
}

/**
 * Show a failure as a sentence; the last answer gives way so it is not mistaken for this one.
 *
 * @param {string} message what went wrong, for people
 */
export function showError(message) {
  clearAnswer();
  statusLine.classList.add('status--error');
  statusLine.textContent = message;
}

/**
 * Mark the answer as being worked on (dims it), or as up to date.
 *
 * @param {boolean} busy whether a request is in flight
 */
export function showBusy(busy) {
  resultSection.classList.toggle('result--busy', busy);
  // The boxes belong to the drawing before this change: gone until its own answer comes.
  if (busy) digitBoxes.replaceChildren();
  resultSection.setAttribute('aria-busy', String(busy));
  if (busy && prediction.textContent === '') {
    statusLine.classList.remove('status--error');
    statusLine.textContent = 'Thinking…';
  }
}

/** Back to the empty page: no digit, empty bars, blank preview, the opening sentence. */
export function reset() {
  clearAnswer();
  statusLine.classList.remove('status--error');
  statusLine.textContent = IDLE_MESSAGE;
}

function clearAnswer() {
  correction.hidden = true;
  reading = null;
  numberRow.hidden = true;
  numberValue.textContent = '';
  digitBoxes.replaceChildren();
  prediction.textContent = '';
  for (let digit = 0; digit < 10; digit += 1) setBar(digit, 0, false);
  drawPreview(null);
}

function setBar(digit, probability, isWinner) {
  const { bar, fill, value } = bars[digit];
  bar.dataset.probability = String(probability);
  bar.classList.toggle('bar--winner', isWinner);
  // element.style is CSSOM, which the Content-Security-Policy allows; style="" is not.
  fill.style.width = `${Math.max(0, Math.min(1, probability)) * 100}%`;
  value.textContent = percent(probability);
}

function percent(probability) {
  const value = probability * 100;
  return value > 0 && value < 1 ? '<1%' : `${Math.round(value)}%`;
}

function drawPreview(input, explanation) {
  const image = previewCtx.createImageData(preview.width, preview.height);
  // The occlusion map tints the ink: red where hiding it lowers the answer's probability (the
  // evidence for it), blue where hiding it raises it; scaled to the strongest region.
  const strongest = explanation ? Math.max(1e-6, ...explanation.flat().map(Math.abs)) : 1;
  for (let y = 0; y < preview.height; y += 1) {
    for (let x = 0; x < preview.width; x += 1) {
      const ink = input && input[y] ? Number(input[y][x]) || 0 : 0;
      // Ink as dark on white, like the drawing it came from.
      const shade = 255 * (1 - Math.max(0, Math.min(1, ink)));
      const why = explanation && explanation[y] ? Number(explanation[y][x]) / strongest || 0 : 0;
      const heat = Math.min(1, Math.abs(why)) * 0.75;
      const [r, g, b] = why > 0 ? [220, 40, 40] : [40, 90, 220];
      const i = 4 * (y * preview.width + x);
      image.data[i] = Math.round(shade + (r - shade) * heat);
      image.data[i + 1] = Math.round(shade + (g - shade) * heat);
      image.data[i + 2] = Math.round(shade + (b - shade) * heat);
      image.data[i + 3] = 255;
    }
  }
  previewCtx.putImageData(image, 0, 0);
  previewCaption.textContent = explanation ? EXPLAINED_CAPTION : PLAIN_CAPTION;
}

reset();
