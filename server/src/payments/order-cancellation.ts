/**
 * A shop cancels an order, pending or paid: live links void, open WeChat orders closed before the
 * answer, and everything friends paid goes back to them. It refunds payments, so it lives here
 * rather than in orders (features import only downward: payments -> links -> orders);
 * composition/app.ts hands it to the order routes.
 */
import { AppError } from '../errors/app-error';
import { getOrderForShop } from '../orders/order-service';
import type { ServiceDeps } from '../service-deps';
import type { OrderRecord, ShopRecord } from '../store/records';
import { closeOpenPayments } from './payment-service';
import { advanceRefund } from './refund-runner';
import { cancelOrderAndRefund } from './settlement';

/** What a cancel answers: the order, and the payments whose WeChat order is still being closed. */
export interface Cancellation {
  order: OrderRecord;
  closingPayments: string[];
}

/**
 * Cancels an order: links void, whatever each friend paid and still has refunded to them, and
 * every open WeChat order closed before answering, so a friend still in the pay sheet cannot pay
 * a cancelled order. Cancelling a cancelled order changes nothing but retries those closes.
 */
export async function cancelOrder(deps: ServiceDeps, shop: ShopRecord, orderId: string): Promise<Cancellation> {
  const order = await getOrderForShop(deps, shop, orderId);
  const result = await cancelOrderAndRefund(deps, order.id);
  if (result === undefined) throw new AppError('ORDER_NOT_FOUND', `No order ${orderId} for this shop.`);
  const closingPayments = await closeOpenPayments(deps, await deps.store.listPaymentsOfOrder(order.id));
  // Send the refunds now; the reconciler retries any that WeChat does not take at once.
  for (const refund of result.refunds) await advanceRefund(deps, refund);
  return { order: (await deps.store.getOrder(order.id)) ?? result.order, closingPayments };
}
