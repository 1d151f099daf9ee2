// Talking to the server: one function per endpoint, errors turned into readable sentences.

// Resolved against this module, not the page, so the app also works under a URL prefix.
// The page reads numbers; with one digit drawn, its answer is /api/predict's.
const READ_URL = new URL('../api/read', import.meta.url);

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
 * Ask the model which number a drawing shows: each digit, left to right.
 *
 * @param {Blob} image the drawing as a PNG
 * @returns {Promise<{number: string, digits: {digit: ?number, confidence: number,
 *   probabilities: number[], box: number[], input: number[][]}[]}>} the contract's answer
 * @throws {ApiError} when the server cannot be reached or refuses the drawing
 */
export async function read(image) {
  let response;
  try {
    response = await fetch(READ_URL, {
      method: 'POST',
      headers: { 'Content-Type': 'image/png', Accept: 'application/json' },
      body: image,
    });
  } catch {
    throw new ApiError(NETWORK_MESSAGE, { code: 'network' });
  }

  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON: a proxy's error page or a cut connection; the status says enough.
  }
  if (!response.ok) {
    const error = body && body.error ? body.error : {};
    const message =
      error.message ||
      `The server could not answer (HTTP ${response.status}). Please try again in a moment.`;
    throw new ApiError(message, { status: response.status, code: error.code });
  }
  const understood = (digit) =>
    Array.isArray(digit.probabilities) && digit.probabilities.length === 10 && digit.box;
  if (!body || !Array.isArray(body.digits) || !body.digits.length || !body.digits.every(understood)) {
    throw new ApiError('The server sent an answer this page does not understand.', {
      status: response.status,
      code: 'bad_answer',
    });
  }
  return body;
}
