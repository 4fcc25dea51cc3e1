/**
 * A shop cancels an order: live links void, and everything friends paid goes back to them. It
 * refunds payments, so it lives here rather than in orders (features import only downward:
 * payments -> links -> orders); http/app.ts hands it to the order routes.
 */
import { AppError } from '../errors/app-error';
import { getOrderForShop } from '../orders/order-service';
import type { ServiceDeps } from '../service-deps';
import type { OrderRecord, ShopRecord } from '../store/records';
import { advanceRefund } from './refund-runner';
import { cancelOrderAndRefund } from './settlement';

/** Cancels a pending order: live links void, and everything friends paid is refunded to them. */
export async function cancelOrder(deps: ServiceDeps, shop: ShopRecord, orderId: string): Promise<OrderRecord> {
  const order = await getOrderForShop(deps, shop, orderId);
  if (order.status === 'cancelled') return order;
  if (order.status !== 'pending') throw new AppError('ORDER_NOT_PENDING', `Order ${order.id} is ${order.status} and cannot be cancelled.`);
  const result = await cancelOrderAndRefund(deps, order.id);
  if (result === undefined) throw new AppError('ORDER_NOT_FOUND', `No order ${orderId} for this shop.`);
  if (!result.changed && result.order.status !== 'cancelled') {
    throw new AppError('ORDER_NOT_PENDING', `Order ${order.id} is ${result.order.status} and cannot be cancelled.`);
  }
  // Send the refunds now; the reconciler retries any that WeChat does not take at once.
  for (const refund of result.refunds) await advanceRefund(deps, refund);
  return (await deps.store.getOrder(order.id)) ?? result.order;
}
