/** Per-request values set by middleware, kept off `res.locals` (typed `any`) in WeakMaps. */
import type { Request } from 'express';
import type { ShopRecord } from '../store/records';

const requestIds = new WeakMap<Request, string>();
const shops = new WeakMap<Request, ShopRecord>();

/** Remembers the request's id. */
export function setRequestId(req: Request, id: string): void {
  requestIds.set(req, id);
}

/** The request's id (set by the first middleware). */
export function requestIdOf(req: Request): string {
  return requestIds.get(req) ?? 'unknown';
}

/** Remembers the shop the API key belongs to. */
export function setShop(req: Request, shop: ShopRecord): void {
  shops.set(req, shop);
}

/** The authenticated shop; only call behind the shop-auth middleware. */
export function shopOf(req: Request): ShopRecord {
  const shop = shops.get(req);
  if (shop === undefined) throw new Error('shopOf() called on a route without shop authentication');
  return shop;
}
