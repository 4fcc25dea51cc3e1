import { AUTH_SCHEME, AUTHORIZATION_PARAMS, requestSignatureMessage } from './consts';
import type { Signer } from './signer';

/** The parameters of a `WECHATPAY2-SHA256-RSA2048 ...` Authorization header. */
export interface AuthorizationParams {
  mchid: string;
  nonceStr: string;
  signature: string;
  /** Unix seconds, as text. */
  timestamp: string;
  serialNo: string;
}

/** Formats the Authorization header value: `WECHATPAY2-SHA256-RSA2048 mchid="..",nonce_str="..",signature="..",timestamp="..",serial_no=".."`. */
export function formatAuthorization(params: AuthorizationParams): string {
  const values: Record<(typeof AUTHORIZATION_PARAMS)[number], string> = {
    mchid: params.mchid,
    nonce_str: params.nonceStr,
    signature: params.signature,
    timestamp: params.timestamp,
    serial_no: params.serialNo,
  };
  return `${AUTH_SCHEME} ${AUTHORIZATION_PARAMS.map((name) => `${name}="${values[name]}"`).join(',')}`;
}

/**
 * Parses an Authorization header value; parameters may come in any order, quoted or not.
 * Returns undefined when the scheme is not ours or a parameter is missing or repeated.
 */
export function parseAuthorization(header: string | undefined): AuthorizationParams | undefined {
  if (header === undefined) return undefined;
  const trimmed = header.trim();
  if (!trimmed.startsWith(`${AUTH_SCHEME} `)) return undefined;
  const found = new Map<string, string>();
  for (const part of trimmed.slice(AUTH_SCHEME.length + 1).split(',')) {
    const match = /^\s*([a-z_]+)=("([^"]*)"|([^",]*))\s*$/.exec(part);
    if (match === null) return undefined;
    const name = match[1];
    if (found.has(name)) return undefined;
    found.set(name, match[3] ?? match[4] ?? '');
  }
  const mchid = found.get('mchid');
  const nonceStr = found.get('nonce_str');
  const signature = found.get('signature');
  const timestamp = found.get('timestamp');
  const serialNo = found.get('serial_no');
  if (!mchid || !nonceStr || !signature || !timestamp || !serialNo) return undefined;
  return { mchid, nonceStr, signature, timestamp, serialNo };
}

/** What a request signature covers; `url` is the absolute path with its query string. */
export interface RequestToSign {
  method: string;
  url: string;
  body: string;
  timestamp: string;
  nonce: string;
}

/** Signs a request over `METHOD\nURL\ntimestamp\nnonce\nbody\n` and returns the Authorization value. */
export function buildAuthorization(request: RequestToSign, merchant: { mchid: string; serialNo: string; signer: Signer }): string {
  const message = requestSignatureMessage(request.method.toUpperCase(), request.url, request.timestamp, request.nonce, request.body);
  return formatAuthorization({
    mchid: merchant.mchid,
    nonceStr: request.nonce,
    signature: merchant.signer.sign(message),
    timestamp: request.timestamp,
    serialNo: merchant.serialNo,
  });
}
