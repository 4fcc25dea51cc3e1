/**
 * Where webhooks may go (docs/architecture.md, "Security"). A shop's webhook URL makes our server
 * send requests where the shop says, so without a rule it could be made to reach what only we can
 * reach: the cloud's metadata service, the database, anything on loopback or the private network.
 * In production a URL must be https, carry no credentials and name a public host; the check runs
 * when the URL is registered and again at every delivery, on the addresses the host resolves to
 * then, and the connection is made to an address that passed (the check is the socket's own DNS
 * lookup). Redirects are never followed. The sandbox may deliver over http to loopback and
 * private networks (QA runs a receiver on its machine), never to link-local or metadata targets.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';

/** Which targets a deliverer accepts. */
export interface WebhookTargetPolicy {
  /** Only https URLs (production). */
  requireHttps: boolean;
  /** Loopback and private networks too (the sandbox: QA's receiver on its own machine). */
  allowPrivateNetworks: boolean;
  /** How hosts are resolved at delivery; tests give their own. @default dns.lookup */
  lookup?: typeof dns.lookup;
}

/** Production: https to public hosts only. */
export const publicWebhookTargets: WebhookTargetPolicy = Object.freeze({ requireHttps: true, allowPrivateNetworks: false });
/** The sandbox (and tests): http allowed, loopback and private networks allowed. */
export const localWebhookTargets: WebhookTargetPolicy = Object.freeze({ requireHttps: false, allowPrivateNetworks: true });

/** The policy a configuration names (`WEBHOOK_TARGETS`). */
export function webhookTargetPolicy(name: 'public' | 'local'): WebhookTargetPolicy {
  return name === 'public' ? publicWebhookTargets : localWebhookTargets;
}

function blockList(subnets: readonly [string, number][]): net.BlockList {
  const list = new net.BlockList();
  for (const [address, prefix] of subnets) list.addSubnet(address, prefix, net.isIPv6(address) ? 'ipv6' : 'ipv4');
  return list;
}

/**
 * Never a target, whatever the policy: "this network" and unspecified, link-local (where cloud
 * metadata services answer, 169.254.169.254), multicast, reserved and broadcast, and the metadata
 * addresses that sit elsewhere (Alibaba Cloud's 100.100.100.200, AWS's fd00:ec2::254).
 * IPv4-mapped IPv6 addresses are checked against the IPv4 ranges by `net.BlockList` itself.
 */
const neverTargets = blockList([
  ['0.0.0.0', 8], ['169.254.0.0', 16], ['224.0.0.0', 4], ['240.0.0.0', 4], ['100.100.100.200', 32],
  ['::', 128], ['fe80::', 10], ['ff00::', 8], ['fd00:ec2::254', 128],
]);

/** Targets only a local policy allows: loopback, private, carrier-grade NAT, unique-local and the other special-use ranges. */
const privateTargets = blockList([
  ['127.0.0.0', 8], ['10.0.0.0', 8], ['172.16.0.0', 12], ['192.168.0.0', 16], ['100.64.0.0', 10],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['::1', 128], ['fc00::', 7], ['fec0::', 10], ['2001:db8::', 32], ['100::', 64], ['::', 96], ['64:ff9b:1::', 48],
]);

/** The IPv4 address an IPv6 address carries inside it by translation (NAT64 64:ff9b::/96, 6to4 2002::/16). */
function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  if (groups === undefined) return undefined;
  const quad = (high: number, low: number) => [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
  if (groups[0] === 0x64 && groups[1] === 0xff9b && groups.slice(2, 6).every((group) => group === 0)) return quad(groups[6] ?? 0, groups[7] ?? 0);
  if (groups[0] === 0x2002) return quad(groups[1] ?? 0, groups[2] ?? 0);
  return undefined;
}

/** The eight 16-bit groups of an IPv6 address (with a dotted IPv4 tail allowed), undefined when not one. */
function expandIpv6(address: string): number[] | undefined {
  if (!net.isIPv6(address)) return undefined;
  let text = address;
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = tail[1].split('.').map(Number);
    text = `${text.slice(0, -tail[1].length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = rest === undefined || rest === '' ? [] : rest.split(':');
  const zeros = rest === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(zeros).fill('0'), ...right].map((group) => parseInt(group, 16));
}

/** Why `address` (an IP, IPv6 without brackets) is not a webhook target under `policy`; undefined when it is one. */
export function addressProblem(address: string, policy: WebhookTargetPolicy): string | undefined {
  const family: net.IPVersion | undefined = net.isIPv4(address) ? 'ipv4' : net.isIPv6(address) ? 'ipv6' : undefined;
  if (family === undefined) return 'is not an IP address';
  const candidates: { address: string; family: net.IPVersion }[] = [{ address, family }];
  const inner = family === 'ipv6' ? embeddedIpv4(address) : undefined;
  if (inner !== undefined) candidates.push({ address: inner, family: 'ipv4' });
  for (const candidate of candidates) {
    if (neverTargets.check(candidate.address, candidate.family)) return 'is a link-local, metadata, multicast, reserved or unspecified address';
    if (!policy.allowPrivateNetworks && privateTargets.check(candidate.address, candidate.family)) return 'is a loopback, private or otherwise non-public address';
  }
  return undefined;
}

/** Host names that are never public: they name this machine or a private network. */
const localNames = /(^|\.)(localhost|local|internal|intranet|lan|home\.arpa|localdomain)$/;
/** Metadata services by name (Google Cloud, Tencent Cloud, and the bare name some clouds answer). */
const metadataNames = /^(metadata\.google\.internal|metadata\.tencentyun\.com|metadata)$/;

/** Why `value` cannot be a webhook URL under `policy`, in words a shop can act on; undefined when it can. */
export function webhookUrlProblem(value: string, policy: WebhookTargetPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  if (policy.requireHttps && url.protocol !== 'https:') return 'must be an https URL (webhooks carry order data)';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials (user:password@); the FriendPay-Signature header authenticates us';
  // The URL parser has already turned 0x7f000001, 2130706433 and 0177.0.0.1 into 127.0.0.1.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '').toLowerCase();
  if (net.isIP(host) !== 0) {
    const problem = addressProblem(host, policy);
    return problem === undefined ? undefined : `must name a public host: ${host} ${problem}`;
  }
  if (metadataNames.test(host)) return `must name a public host: ${host} is a cloud metadata service`;
  if (!policy.allowPrivateNetworks && (localNames.test(host) || !host.includes('.'))) return `must name a public host: ${host} names this machine or a private network`;
  return undefined;
}

/** A delivery refused because of where it would go. */
export class WebhookTargetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookTargetError';
  }
}

/** What a webhook POST got back. */
export interface WebhookResponse {
  status: number;
}

/** Sends webhooks only where a policy allows, checking the very addresses it connects to. */
export interface WebhookSender {
  post(url: string, request: { headers: Record<string, string>; body: string; timeoutMs: number }): Promise<WebhookResponse>;
}

/** The sender for `policy`: node:http(s) with a DNS lookup that refuses what the policy does not allow. */
export function createWebhookSender(policy: WebhookTargetPolicy): WebhookSender {
  const resolve = policy.lookup ?? dns.lookup;
  // The socket connects to what this returns, so the address checked is the address connected to:
  // a second resolution (DNS rebinding) has nothing to slip in between.
  const checkedLookup = ((hostname: string, options: dns.LookupOptions, callback: (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void) => {
    resolve(hostname, Object.assign({}, options, { all: true } as const), (error, addresses) => {
      if (error) {
        callback(error, '');
        return;
      }
      const list = addresses;
      for (const entry of list) {
        const problem = addressProblem(entry.address, policy);
        if (problem !== undefined) {
          callback(new WebhookTargetError(`refused: the host resolves to an address that ${problem}`), '');
          return;
        }
      }
      const [first] = list;
      if (first === undefined) callback(new WebhookTargetError('refused: the host resolves to no address'), '');
      else if (options.all === true) callback(null, list);
      else callback(null, first.address, first.family);
    });
  }) as unknown as typeof dns.lookup;
  const agents = { 'http:': new http.Agent({ lookup: checkedLookup }), 'https:': new https.Agent({ lookup: checkedLookup }) };

  return {
    post(value, request) {
      const problem = webhookUrlProblem(value, policy);
      if (problem !== undefined) return Promise.reject(new WebhookTargetError(`refused: the webhook URL ${problem}`));
      const url = new URL(value);
      const send = url.protocol === 'https:' ? https.request : http.request;
      const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:'];
      return new Promise<WebhookResponse>((resolvePost, reject) => {
        const outgoing = send(url, {
          method: 'POST',
          agent,
          headers: Object.assign({}, request.headers, { 'content-length': String(Buffer.byteLength(request.body)) }),
          signal: AbortSignal.timeout(request.timeoutMs),
        }, (response) => {
          // Only the status matters; a redirect (3xx) is a failure like any other, never followed.
          response.resume();
          response.on('end', () => resolvePost({ status: response.statusCode ?? 0 }));
          response.on('error', reject);
        });
        outgoing.on('error', reject);
        outgoing.end(request.body);
      });
    },
  };
}
