/**
 * Logging with pino. Tokens, keys and secrets never reach a log line, in any spelling
 * (docs/architecture.md, "Security"): known fields are redacted, request paths are logged in a
 * shape that keeps only our route words, error messages and stacks are scrubbed, and every line
 * passes a last scrub of anything shaped like a link token or code before it is written.
 */
import pino from 'pino';

/** Fields that may carry a secret, wherever they appear in a logged object. */
const redactPaths = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'token',
  '*.token',
  'api_key',
  '*.api_key',
  'webhook_secret',
  '*.webhook_secret',
  'secret',
  '*.secret',
  'session_token',
  '*.session_token',
  'session_key',
  '*.session_key',
];

/** Decodes the valid %XX escapes of `text`, leaving malformed ones as they are; a few rounds, for double encoding. */
export function decodeLeniently(text: string): string {
  let current = text;
  for (let round = 0; round < 3 && current.includes('%'); round++) {
    const next = current.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        // Not UTF-8 (e.g. %E0%A4 cut short): each byte as the character of its value, enough to see a shape.
        return run.replace(/%([0-9A-Fa-f]{2})/g, (_escape, hex: string) => String.fromCharCode(parseInt(hex, 16)));
      }
    });
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * A link token (three base64url parts) or code (`<id>.<mac>`) has a dot followed by at least ten
 * base64url characters; case does not matter. Percent-encoding is undone before looking.
 */
const capabilityShape = /[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{10,}/;
/** Runs of URL characters long enough to hold one (the shortest code is 14 characters). */
const candidateRun = /[A-Za-z0-9._~%+-]{14,}/g;

/** `text` with every run shaped like a link token or code, in any case or encoding, replaced. */
export function redactCapabilities(text: string): string {
  return text.replace(candidateRun, (run) => (capabilityShape.test(decodeLeniently(run)) ? '[redacted]' : run));
}

/** Our own ids in error messages (`pay_...`, `lnk_...`): a payment id is part of a friend's capability. */
const idShape = /\b[a-z]{2,5}_[A-Za-z0-9]{8,}\b/g;

/**
 * Errors as logged: type, code, status, message and stack (with causes), both scrubbed of
 * capabilities and ids. Nothing else of the error object: body-parser's errors carry the body.
 */
export function serializeError(error: unknown): unknown {
  const serialized = pino.stdSerializers.err(error as Error) as unknown;
  if (typeof serialized !== 'object' || serialized === null || !('message' in serialized)) return serialized;
  const { type, message, stack, code, status } = serialized as { type?: unknown; message?: unknown; stack?: unknown; code?: unknown; status?: unknown };
  const scrub = (value: unknown): unknown => (typeof value === 'string' ? redactCapabilities(value).replace(idShape, '[id]') : value);
  return { type, message: scrub(message), stack: scrub(stack), ...(code === undefined ? {} : { code: scrub(code) }), ...(status === undefined ? {} : { status }) };
}

/** A logger writing JSON lines to `destination` (stderr by default, leaving stdout to command output). */
export function createLogger(level: pino.LevelWithSilent, destination: pino.DestinationStream = pino.destination(2)): pino.Logger {
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: '[redacted]' },
      base: undefined,
      serializers: { err: serializeError },
      // The last line of defence: whatever field a capability slipped into, it is not written.
      hooks: { streamWrite: redactCapabilities },
    },
    destination,
  );
}

/**
 * A path segment kept as it is: a word of our routes (`v1`, `pay`, `out-trade-no`, `qr.png`), in
 * any case. Capabilities and ids always hold a dot or an underscore, so they never pass.
 */
const routeWord = /^[a-z]+(?:-[a-z]+)*\d*(?:\.[a-z]{2,4})?$/i;
/** The H5 bundle's hashed file names (`app.8c2559aa.js`). */
const builtAsset = /^[a-z0-9]+(?:-[a-z0-9]+)*\.[0-9a-f]{8}\.(?:js|css)$/;
/** Ids a shop names its own orders and links by (behind its API key, no capability); payment ids are not among them. */
const shopScopedId = /^(?:ord|lnk|rfd|evt|shop)_[A-Za-z0-9]{8,32}$/;
const MAX_LOGGED_SEGMENTS = 12;

function loggableSegment(segment: string): string {
  if (segment === '' || segment === '.' || segment === '..') return segment;
  const decoded = decodeLeniently(segment);
  // A long word in mixed case is more likely random (a MAC cut off its id) than one of ours.
  const plainCase = decoded.length <= 8 || decoded === decoded.toLowerCase() || decoded === decoded.toUpperCase();
  if ((routeWord.test(decoded) && plainCase) || builtAsset.test(decoded) || shopScopedId.test(segment)) return segment;
  return '{redacted}';
}

/**
 * The path of a request as it may be logged: the query dropped, every segment that is not one of
 * our route words replaced by `{redacted}` (links' tokens and codes, payment ids, anything a
 * client made up), whatever its case or encoding.
 */
export function loggablePath(url: string): string {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  const segments = path.split('/');
  const kept = segments.slice(0, MAX_LOGGED_SEGMENTS).map(loggableSegment);
  return kept.join('/') + (segments.length > MAX_LOGGED_SEGMENTS ? '/…' : '');
}
