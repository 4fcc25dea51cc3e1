/**
 * HTTP for WeChat's server API. The shared `http-transport.ts` returns text; a mini program code
 * is a PNG, so this one keeps the bytes. One timeout covers connecting, the headers and the
 * whole body, and the body is capped so a misbehaving upstream cannot fill memory.
 */
import http from 'node:http';
import https from 'node:https';

/** A mini program code at the largest width is a few hundred KiB; anything past this is not one. */
export const MAX_BINARY_RESPONSE_BYTES = 2 * 1024 * 1024;

/** One request's parts. */
export interface BinaryHttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** Covers connecting, the headers and the whole body. */
  timeoutMs: number;
  /** @default MAX_BINARY_RESPONSE_BYTES */
  maxBytes?: number;
}

/** What came back, body as bytes. */
export interface BinaryHttpResponse {
  status: number;
  /** The `Content-Type` header, '' when absent. */
  contentType: string;
  body: Buffer;
}

/** Why a request got no usable answer. */
export class BinaryHttpError extends Error {
  override readonly name = 'BinaryHttpError';

  constructor(
    readonly kind: 'timeout' | 'network' | 'too_large',
    message: string,
  ) {
    super(message);
  }
}

/** Sends requests over kept-alive connections. */
export interface BinaryHttp {
  send(request: BinaryHttpRequest): Promise<BinaryHttpResponse>;
  /** Closes the idle connections. */
  close(): void;
}

/** A binary-capable HTTP client with its own connection pools. */
export function createBinaryHttp(): BinaryHttp {
  // Idle sockets are dropped before a server's usual 5 s keep-alive ends, so a request rarely
  // meets a connection the other side is closing.
  const agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: 4000 }),
    'https:': new https.Agent({ keepAlive: true, timeout: 4000 }),
  };
  return {
    send(request) {
      const { url } = request;
      if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new BinaryHttpError('network', `unsupported protocol ${url.protocol}`));
      const secure = url.protocol === 'https:';
      const agent = secure ? agents['https:'] : agents['http:'];
      const maxBytes = request.maxBytes ?? MAX_BINARY_RESPONSE_BYTES;
      const headers = request.body === undefined ? request.headers : Object.assign({}, request.headers, { 'Content-Length': String(Buffer.byteLength(request.body)) });
      return new Promise<BinaryHttpResponse>((resolve, reject) => {
        let settled = false;
        const fail = (error: Error): void => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(error instanceof BinaryHttpError ? error : new BinaryHttpError('network', error.message));
        };
        // Settles with our reason first: destroying the request also fires 'close' and 'error'.
        const abort = (error: BinaryHttpError): void => {
          fail(error);
          outgoing.destroy();
        };
        const send = secure ? https.request : http.request;
        const outgoing = send(url, { method: request.method, headers, agent }, (response) => {
          const declared = Number(response.headers['content-length']);
          if (Number.isFinite(declared) && declared > maxBytes) {
            abort(new BinaryHttpError('too_large', `response of ${declared} bytes exceeds ${maxBytes}`));
            return;
          }
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) abort(new BinaryHttpError('too_large', `response exceeds ${maxBytes} bytes`));
            else chunks.push(chunk);
          });
          response.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({ status: response.statusCode ?? 0, contentType: response.headers['content-type'] ?? '', body: Buffer.concat(chunks) });
          });
          response.on('error', fail);
          // A connection cut mid-body ends the response without 'end'.
          response.on('close', () => fail(new BinaryHttpError('network', 'connection closed before the response ended')));
        });
        const timer = setTimeout(() => abort(new BinaryHttpError('timeout', `no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
        outgoing.on('error', fail);
        outgoing.end(request.body);
      });
    },
    close() {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}
