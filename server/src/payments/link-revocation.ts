/**
 * A shop revokes a link: the link is withdrawn (links/link-service.ts), then every open WeChat
 * order of it is closed before the answer, so a friend still in the pay sheet cannot pay a link
 * that is gone. Closing is payments' business, so this lives here and composition/app.ts hands it
 * to the link routes.
 */
import type { LinkResponse } from '../../../shared/api-types';
import { revokeLink } from '../links/link-service';
import type { ServiceDeps } from '../service-deps';
import type { ShopRecord } from '../store/records';
import { closeOpenPayments } from './payment-service';

/** Revokes the link and closes its open payments; `closing_payments` names those WeChat did not confirm closed yet. */
export async function revokeLinkAndClose(deps: ServiceDeps, shop: ShopRecord, linkId: string): Promise<LinkResponse> {
  const link = await revokeLink(deps, shop, linkId);
  if (link.status === 'paid' || link.status === 'active') return link;
  const open = (await deps.store.listPaymentsOfOrder(link.order_id)).filter((payment) => payment.linkId === link.id);
  return Object.assign({}, link, { closing_payments: await closeOpenPayments(deps, open) });
}
