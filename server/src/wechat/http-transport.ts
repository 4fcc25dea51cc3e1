/**
 * HTTP for the WeChat Pay client: node:http(s) with a keep-alive agent. Global `fetch` (undici)
 * cost about 0.35 ms of CPU per call in the benchmark, more than either RSA signature of a
 * payment; a plain request on a kept-alive socket costs a fraction of that.
 */
import http, { type IncomingHttpHeaders } from 'node:http';
import https from 'node:https';

/** What came back. */
export interface TransportResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  /** The body exactly as received (files are hashed over these bytes); transports may leave it out. */
  bytes?: Buffer;
}

/** One request's parts. */
export interface TransportRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /** Covers connecting, the headers and the whole body. */
  timeoutMs: number;
  /** Larger answers are refused. @default 1 MiB (WeChat Pay's JSON answers are a few KiB; bill files are larger) */
  maxResponseBytes?: number;
}

/** Why a request got no answer. */
export class TransportError extends Error {
  constructor(readonly kind: 'timeout' | 'network', message: string) {
    super(message);
    this.name = 'TransportError';
  }
}

/** WeChat Pay's JSON answers are a few KiB; anything near this is not one of them. */
const MAX_RESPONSE_BYTES = 1024 * 1024;

/** Sends requests over kept-alive connections (idle ones do not keep the process running). */
export interface HttpTransport {
  send(request: TransportRequest): Promise<TransportResponse>;
  /** Closes the idle connections. */
  close(): void;
}

/** A transport with its own connection pools. */
export function createHttpTransport(): HttpTransport {
  // Idle sockets are dropped before a server's usual 5 s keep-alive ends, so a request rarely
  // meets a connection the other side is closing.
  const agents = {
    'http:': new http.Agent({ keepAlive: true, timeout: 4000, scheduling: 'lifo' }),
    'https:': new https.Agent({ keepAlive: true, timeout: 4000, scheduling: 'lifo' }),
  };
  return {
    send(request) {
      const { url } = request;
      const agent = url.protocol === 'https:' ? agents['https:'] : url.protocol === 'http:' ? agents['http:'] : undefined;
      if (agent === undefined) return Promise.reject(new TransportError('network', `unsupported protocol ${url.protocol}`));
      const maxBytes = request.maxResponseBytes ?? MAX_RESPONSE_BYTES;
      const headers = request.body === undefined ? request.headers : Object.assign({}, request.headers, { 'Content-Length': String(Buffer.byteLength(request.body)) });
      return new Promise<TransportResponse>((resolve, reject) => {
        const send = url.protocol === 'https:' ? https.request : http.request;
        const outgoing = send(url, { method: request.method, headers, agent }, (response) => {
          const chunks: Buffer[] = [];
          let size = 0;
          response.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > maxBytes) outgoing.destroy(new TransportError('network', 'response too large'));
            else chunks.push(chunk);
          });
          response.on('end', () => {
            clearTimeout(timer);
            const bytes = Buffer.concat(chunks);
            resolve({ status: response.statusCode ?? 0, headers: response.headers, text: bytes.toString('utf8'), bytes });
          });
          response.on('error', fail);
        });
        function fail(error: Error): void {
          clearTimeout(timer);
          reject(error instanceof TransportError ? error : new TransportError('network', error.message));
        }
        const timer = setTimeout(() => outgoing.destroy(new TransportError('timeout', `no answer within ${request.timeoutMs} ms`)), request.timeoutMs);
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
