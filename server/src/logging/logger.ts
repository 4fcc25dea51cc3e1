/**
 * Logging with pino. Tokens, keys and secrets never reach a log line: known fields are redacted
 * and request paths that carry a link reference are logged with the reference replaced.
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

/** A logger writing JSON lines to `destination` (stderr by default, leaving stdout to command output). */
export function createLogger(level: pino.LevelWithSilent, destination: pino.DestinationStream = pino.destination(2)): pino.Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[redacted]' }, base: undefined }, destination);
}

// Shopper tokens (`/v1/share/{s}`) and the sandbox's card view (`/sandbox/cards/{ref}`) are capabilities too.
const refPaths = /^(\/v1\/pay\/|\/p\/|\/v1\/share\/|\/sandbox\/cards\/)([^/?]+)/;

/** The path of a request as it may be logged: link references (capabilities) are replaced. */
export function loggablePath(url: string): string {
  const path = url.split('?')[0] ?? '';
  return path.replace(refPaths, '$1{ref}');
}
