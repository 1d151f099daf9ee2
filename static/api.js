// Talking to the server: one function per endpoint, errors turned into readable sentences.

// Resolved against this module, not the page, so the app also works under a URL prefix.
const PREDICT_URL = new URL('../api/predict', import.meta.url);
// Corrections' URL keeps its first name, for the clients that use it.
const CORRECTIONS_URL = new URL('../api/feedback', import.meta.url);
// RFC 7240 preferences: /api/predict adds the number read (as /api/read gives it) and the
// occlusion maps, so the page asks the contract's endpoint once per drawing for everything.
const PAGE_PREFERENCES = 'read, explain';

// The server reads at most this many strokes and points (webapp/strokes.py); beyond them (a
// shaded scribble) the drawing goes alone and is read from its ink.
const MAX_STROKES = 500;
const MAX_POINTS = 20000;

const NETWORK_MESSAGE = 'Could not reach the server. Check your connection and try again.';

/** A failed request, with a message fit to show to the person drawing. */
export class ApiError extends Error {
  /**
   * @param {string} message a sentence for people, never a stack trace
   * @param {{status?: number, code?: string}} details the HTTP status and the contract's code
   */
  constructor(message, { status = 0, code = 'unknown' } = {}) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/**
 * Ask POST /api/predict which digit the drawing shows, and which number: each digit, left to
 * right, with its occlusion map (the page's preferences).
 *
 * @param {Blob} image the drawing as a PNG
 * @param {number[][][]} strokes the strokes in the order drawn, [x, y] in the PNG's pixels
 * @returns {Promise<{verdict: string, digit: ?number, number: string, digits: {digit: number,
 *   confidence: number, probabilities: number[], box: number[], input: number[][],
 *   explanation: number[][]}[]}>} the contract's answer, with number and digits as /api/read
 *   gives them
 * @throws {ApiError} when the server cannot be reached or refuses the drawing
 */
export async function predict(image, strokes) {
  // A form, so that the strokes go with the image (the browser sets its Content-Type).
  const form = new FormData();
  form.append('image', image, 'drawing.png');
  appendStrokes(form, strokes);
  const { answer: body } = await send(PREDICT_URL, {
    headers: { Prefer: PAGE_PREFERENCES },
    body: form,
  });
  if (!body || !Array.isArray(body.probabilities) || body.probabilities.length !== 10) {
    throw new ApiError('The server sent an answer this page does not understand.', {
      code: 'bad_answer',
    });
  }
  const understood = (digit) =>
    Array.isArray(digit.probabilities) && digit.probabilities.length === 10 && digit.box;
  const read = Array.isArray(body.digits) && body.digits.every(understood);
  if (read && typeof body.verdict === 'string') return body;
  // A server without the verdict or the reading still gives one digit: show it as one.
  const verdict = body.digit === null || body.digit === undefined ? 'not_a_digit' : 'digit';
  return { ...body, verdict, number: verdict === 'digit' ? String(body.digit) : '', digits: [] };
}

/**
 * Tell the server which digit, or which number, a drawing really was; it keeps both to retrain
 * the model, and gives a token that undoes the correction for a short while.
 *
 * @param {Blob} image the drawing as a PNG
 * @param {string} label the digit (0 to 9) or the number (digits only) the person says it is
 * @param {number[][][]} strokes the strokes, sent with a number so its digits can be found
 * @returns {Promise<{id: number, undoToken: ?string, undoMs: number}>} the stored correction's
 *   id, and its undo token with the time left to use it (0 when the server gives none)
 * @throws {ApiError} when the server cannot be reached or refuses the correction
 */
export async function sendCorrection(image, label, strokes) {
  const form = new FormData();
  form.append('image', image, 'drawing.png');
  form.append('label', label);
  if (label.length > 1) appendStrokes(form, strokes);
  const { answer, response } = await send(CORRECTIONS_URL, { body: form });
  // Measured on the server's clock (its Date header), so a wrong clock here does not matter.
  const until = Date.parse(answer.undo_until ?? '');
  const now = Date.parse(response.headers.get('Date') ?? '') || Date.now();
  const undoMs = answer.undo_token && until ? Math.max(0, until - now) : 0;
  return { id: answer.id, undoToken: answer.undo_token ?? null, undoMs };
}

/**
 * Undo a correction this page sent: DELETE /api/feedback/{id} with its undo token.
 *
 * @param {number} id the correction's id
 * @param {string} token the undo token its 201 answer gave
 * @throws {ApiError} when the server cannot be reached or refuses (e.g. 410 too late)
 */
export async function deleteCorrection(id, token) {
  await send(new URL(String(id), `${CORRECTIONS_URL}/`), {
    method: 'DELETE',
    headers: { Authorization: `Bearer ${token}` },
  });
}

function appendStrokes(form, strokes) {
  const points = strokes.reduce((total, stroke) => total + stroke.length, 0);
  if (strokes.length <= MAX_STROKES && points <= MAX_POINTS) {
    form.append('strokes', JSON.stringify(strokes));
  }
}

/** Send, then the JSON answer (none for 204) with the response; any failure becomes an
 * ApiError with a sentence for people. */
async function send(url, { method = 'POST', headers = {}, body = null }) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: { ...headers, Accept: 'application/json' },
      body,
    });
  } catch {
    throw new ApiError(NETWORK_MESSAGE, { code: 'network' });
  }

  let answer = null;
  try {
    if (response.status !== 204) answer = await response.json();
  } catch {
    // Not JSON: a proxy's error page or a cut connection; the status says enough.
  }
  if (!response.ok) {
    const error = answer && answer.error ? answer.error : {};
    const message =
      error.message ||
      `The server could not answer (HTTP ${response.status}). Please try again in a moment.`;
    throw new ApiError(message, { status: response.status, code: error.code });
  }
  return { answer, response };
}
