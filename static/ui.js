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
const resultSection = prediction.closest('.result');
const bars = Array.from({ length: 10 }, (_, digit) => {
  const bar = byTestId(`prob-${digit}`);
  return { bar, fill: bar.querySelector('.bar__fill'), value: bar.querySelector('.bar__value') };
});

const IDLE_MESSAGE = 'Draw a digit to begin.';
// Below this the answer is a guess between the two likeliest digits, and we say so.
const SURE_ENOUGH = 0.6;

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
 * Show an answer of POST /api/read: with several digits, the number and a box around each
 * digit on the canvas; the first digit's bars, preview and sentence until another is chosen.
 *
 * @param {{number: string, digits: {digit: ?number, confidence: number,
 *   probabilities: number[], box: number[], input: number[][]}[]}} answer the server's answer
 * @param {number} side the side of the drawing sent, in px: what the boxes are measured in
 */
export function showReading(answer, side) {
  reading = answer;
  const several = answer.digits.length > 1;
  numberRow.hidden = !several;
  numberValue.textContent = several ? answer.number : '';
  digitBoxes.replaceChildren(...(several ? answer.digits.map((d, i) => box(d, i, side)) : []));
  select(0);
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
  showResult(reading.digits[index], count > 1 ? `Digit ${index + 1} of ${count}: ` : '');
}

function showResult(result, prefix) {
  const ranked = result.probabilities
    .map((probability, digit) => ({ probability, digit }))
    .sort((a, b) => b.probability - a.probability);
  const winner = result.digit === null || result.digit === undefined ? null : result.digit;
  prediction.textContent = winner === null ? '' : String(winner);
  result.probabilities.forEach((probability, digit) => {
    setBar(digit, probability, digit === winner);
  });
  drawPreview(result.input);
  statusLine.classList.remove('status--error');
  const confidence = result.confidence ?? ranked[0].probability;
  statusLine.textContent = prefix + describe(winner, confidence, ranked);
}

function describe(winner, confidence, ranked) {
  if (winner === null) return 'That does not look like a digit. Try drawing it again.';
  if (confidence < SURE_ENOUGH) {
    return `Not sure — maybe a ${ranked[0].digit} or a ${ranked[1].digit}?`;
  }
  return `Looks like a ${winner} (${percent(confidence)} sure).`;
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

function drawPreview(input) {
  const image = previewCtx.createImageData(preview.width, preview.height);
  for (let y = 0; y < preview.height; y += 1) {
    for (let x = 0; x < preview.width; x += 1) {
      const ink = input && input[y] ? Number(input[y][x]) || 0 : 0;
      // Ink as dark on white, like the drawing it came from.
      const shade = Math.round(255 * (1 - Math.max(0, Math.min(1, ink))));
      const i = 4 * (y * preview.width + x);
      image.data[i] = shade;
      image.data[i + 1] = shade;
      image.data[i + 2] = shade;
      image.data[i + 3] = 255;
    }
  }
  previewCtx.putImageData(image, 0, 0);
}

reset();
