/**
 * The benchmark's open-loop driver (bench/open-loop.ts) speaks HTTP/1.1 over plain sockets. These
 * tests hold it to what the latency goal relies on: every answer is read whatever its framing,
 * failures are counted, and a stall of the server shows in the latency of each request that was
 * due during it (counted from its scheduled time, not from when it could be sent).
 */
import fs from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runOpenLoop } from '../../bench/open-loop';

const servers: net.Server[] = [];
const folders: string[] = [];

afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  for (const folder of folders.splice(0)) fs.rmSync(folder, { recursive: true, force: true });
});

async function serve(handler: http.RequestListener): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A request file as bench/material.ts writes it: method, path, headers, body, tab-separated. */
function requestFile(lines: string[]): string {
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'open-loop-'));
  folders.push(folder);
  const file = path.join(folder, 'requests.txt');
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('open-loop driver', () => {
  it('reads answers framed by length, by chunks, by a closed connection and bodiless 204s, and counts non-2xx ones', async () => {
    let seen = 0;
    const bodies: string[] = [];
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        bodies.push(body);
        seen += 1;
        const kind = seen % 5;
        if (kind === 0) res.writeHead(200, { 'content-type': 'application/json', 'content-length': '11' }).end('{"ok":true}');
        else if (kind === 1) {
          // No length: Node sends it chunked, in two chunks here.
          res.writeHead(200, { 'content-type': 'application/json' });
          res.write('{"part":');
          setTimeout(() => res.end('2}'), 2);
        } else if (kind === 2) res.writeHead(200, { connection: 'close', 'content-length': '2' }).end('{}');
        else if (kind === 3) res.writeHead(404, { 'content-length': '0' }).end();
        // No body and no length at all.
        else res.writeHead(204).end();
      });
    });
    const file = requestFile(['POST\t/echo\tContent-Type: application/json\t{"名":"值"}']);
    const result = await runOpenLoop({ url, file, rate: 200, seconds: 1, warmup: 0, connections: 4 });
    expect(result.sent).toBe(200);
    expect(result.errors).toBe(0);
    expect(result.completed + result.non2xx).toBe(200);
    expect(result.non2xx).toBe(40);
    // The body went out whole, UTF-8 with its byte length.
    expect(new Set(bodies)).toEqual(new Set(['{"名":"值"}']));
  });

  it('counts a stall of the server in every request that was due during it', async () => {
    // The 64 connections' priming requests come first; the stall starts at the 100th scheduled one.
    const stallAt = 64 + 100;
    let seen = 0;
    let stalledUntil = 0;
    const url = await serve((_req, res) => {
      seen += 1;
      if (seen === stallAt) stalledUntil = Date.now() + 300;
      // Every request answered after the stall's start waits for its end, like a blocked event loop.
      const wait = Math.max(0, stalledUntil - Date.now());
      setTimeout(() => res.writeHead(200, { 'content-length': '2' }).end('{}'), wait);
    });
    const file = requestFile(['GET\t/view\t\t']);
    const result = await runOpenLoop({ url, file, rate: 500, seconds: 1, warmup: 0, connections: 64 });
    expect(result.completed).toBe(500);
    // About 150 requests (0.3 s at 500/s) were due during the stall: the slowest waited it out
    // nearly whole, and more than 1% of all waited long, so the p99 shows it.
    expect(result.latencyMaxMs).toBeGreaterThan(250);
    expect(result.latencyP99Ms).toBeGreaterThan(100);
    expect(result.latencyP50Ms).toBeLessThan(100);
  });

  it('opens every connection and has it answer one request before the first scheduled one', async () => {
    // At 50 requests a second a fast server needs one connection: a driver opening them as needed
    // would still be opening connections during the run, and measuring its own handshakes.
    const sockets: Socket[] = [];
    const url = await serve((req, res) => {
      sockets.push(req.socket);
      res.writeHead(200, { 'content-length': '2' }).end('{}');
    });
    const file = requestFile(['GET\t/view\t\t']);
    const result = await runOpenLoop({ url, file, rate: 50, seconds: 0.5, warmup: 0, connections: 8 });
    expect(result.completed).toBe(25);
    expect(sockets).toHaveLength(8 + 25);
    // The first 8 requests came on 8 different connections, and the schedule used no others.
    expect(new Set(sockets.slice(0, 8)).size).toBe(8);
    expect(new Set(sockets).size).toBe(8);
  });

  it('sends a request again on a new connection when the server closed the kept-alive one under it, and only then', async () => {
    // A raw server that answers the first request of each connection and closes the connection,
    // answering nothing, when a second one comes on it: what a request meets when it goes out on a
    // kept-alive connection just as the server's keep-alive timeout closes it. With `partial`, the
    // close comes after part of the answer instead: that request was being answered and failed.
    const rawServer = (partial: boolean): Promise<string> => {
      const server = net.createServer((socket) => {
        let requests = 0;
        socket.on('data', (chunk: Buffer) => {
          requests += chunk.toString('latin1').split('\r\n\r\n').length - 1;
          if (requests === 1) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}');
          else if (partial) socket.end('HTTP/1.1 200 OK\r\nContent-Le');
          else socket.destroy();
        });
        socket.on('error', () => undefined);
      });
      servers.push(server);
      return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
    };
    const file = requestFile(['GET\t/view\t\t']);
    // Every connection carries its priming request, so each scheduled request is a connection's
    // second: it is closed under it, sent again on a new connection and answered there.
    const resent = await runOpenLoop({ url: await rawServer(false), file, rate: 100, seconds: 0.2, warmup: 0, connections: 2 });
    expect(resent.completed).toBe(20);
    expect(resent.errors).toBe(0);
    expect(resent.resent).toBeGreaterThanOrEqual(2);
    const cut = await runOpenLoop({ url: await rawServer(true), file, rate: 100, seconds: 0.2, warmup: 0, connections: 2 });
    expect(cut.resent).toBe(0);
    expect(cut.errors).toBeGreaterThan(0);
  });

  it('fails the requests of a server that is not there, without hanging', async () => {
    const url = await serve((_req, res) => res.end());
    const port = new URL(url).port;
    await new Promise((resolve) => servers.pop()!.close(resolve));
    const file = requestFile(['GET\t/view\t\t']);
    const result = await runOpenLoop({ url: `http://127.0.0.1:${port}`, file, rate: 100, seconds: 0.5, warmup: 0, connections: 4 });
    expect(result.sent).toBe(50);
    expect(result.errors).toBe(50);
    expect(result.completed).toBe(0);
  });
});
