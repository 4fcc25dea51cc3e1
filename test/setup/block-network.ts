// Tests must never reach a real WeChat host (or anything off this machine): every outbound
// TCP connection to a non-loopback address fails loudly instead of leaking a request.
import net from 'node:net';

const loopback = /^(127\.\d+\.\d+\.\d+|::1|localhost|::ffff:127\.\d+\.\d+\.\d+)$/;

function hostOf(args: unknown[]): string | undefined {
  const first = args[0];
  if (Array.isArray(first)) return hostOf(first);
  if (typeof first === 'object' && first !== null) {
    const options = first as { host?: string; path?: string };
    if (options.path !== undefined) return 'localhost'; // a unix socket stays on this machine
    return options.host ?? 'localhost';
  }
  if (typeof first === 'number') return typeof args[1] === 'string' ? args[1] : 'localhost';
  if (typeof first === 'string') return 'localhost'; // a unix socket path
  return undefined;
}

// Kept unbound on purpose: it is called below with the socket as `this`, as Node calls it.
const originalConnect = Reflect.get(net.Socket.prototype, 'connect') as (this: net.Socket, ...args: unknown[]) => net.Socket;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const host = hostOf(args);
  if (host !== undefined && !loopback.test(host)) {
    throw new Error(`test network guard: refused outbound connection to ${host}; tests may only reach loopback`);
  }
  return originalConnect.apply(this, args);
};
