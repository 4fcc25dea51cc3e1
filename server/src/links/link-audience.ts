/**
 * Who a link is for (README.md, "Live status in the chat"): its audience (`group`: anyone it
 * reaches; `private`: only friends the shopper sent its private card to) and what its card counts
 * to (`room_limit`). Written with the link; a private link takes payments only from friends who
 * proved (`POST /v1/pay/{ref}/private-proof`) that they received its card.
 */
import type { LinkMode } from '../../../shared/states';
import { AppError } from '../errors/app-error';
import type { ServiceDeps } from '../service-deps';
import type { FriendLinkView, LinkAudience, LinkLiveRecord, LinkRecord } from '../store/records';
import type { Store } from '../store/store';

/** What a group link's card counts to when the shop does not say. */
export const DEFAULT_GROUP_ROOM_LIMIT = 3;
/** The most contributions a shop may announce for a group link. */
export const MAX_EXPECTED_CONTRIBUTIONS = 100;

/** What the shop said about the link's audience and contributions when issuing it. */
export interface LinkAudienceInput {
  audience?: LinkAudience | undefined;
  expected_contributions?: number | undefined;
}

/** The card's `room_limit` for a new link: 1 for single, the expected contributions (default 3) for group. */
export function roomLimitFor(mode: LinkMode, expected: number | undefined): number {
  if (mode === 'single') {
    if (expected !== undefined && expected !== 1) {
      throw new AppError('VALIDATION_FAILED', 'A single-mode link is paid by one friend: expected_contributions can only be 1.', {
        errors: [{ path: 'expected_contributions', message: 'must be 1 (or absent) for a single-mode link' }],
      });
    }
    return 1;
  }
  if (expected !== undefined && !(Number.isInteger(expected) && expected >= 1 && expected <= MAX_EXPECTED_CONTRIBUTIONS)) {
    throw new AppError('VALIDATION_FAILED', `expected_contributions must be a whole number from 1 to ${MAX_EXPECTED_CONTRIBUTIONS}.`, {
      errors: [{ path: 'expected_contributions', message: `must be from 1 to ${MAX_EXPECTED_CONTRIBUTIONS}` }],
    });
  }
  return expected ?? DEFAULT_GROUP_ROOM_LIMIT;
}

/** The chat settings row of a new link. */
export function newLinkLive(link: LinkRecord, input: LinkAudienceInput): LinkLiveRecord {
  return {
    linkId: link.id,
    audience: input.audience ?? 'group',
    roomLimit: roomLimitFor(link.mode, input.expected_contributions),
    shopperOpenid: null,
    shopperBoundAt: null,
    expiringNoticeAt: null,
    createdAt: link.createdAt,
  };
}

// A link's audience never changes once issued, so every instance may remember it: the friend
// view (the hot path) then costs no extra read for links seen before. Bounded like the codes memo.
const audiences = new WeakMap<Store, Map<string, LinkAudience>>();
const AUDIENCE_MEMO_LIMIT = 10_000;

/** The link's audience; links issued before audiences existed are `group`. */
export async function linkAudience(deps: Pick<ServiceDeps, 'store'>, linkId: string): Promise<LinkAudience> {
  let memo = audiences.get(deps.store);
  if (memo === undefined) {
    memo = new Map();
    audiences.set(deps.store, memo);
  }
  const known = memo.get(linkId);
  if (known !== undefined) return known;
  const audience = (await deps.store.getLinkLive(linkId))?.audience ?? 'group';
  if (memo.size >= AUDIENCE_MEMO_LIMIT) memo.clear();
  memo.set(linkId, audience);
  return audience;
}

/** Throws PRIVATE_LINK unless the link is for anyone, or `openid` proved they received its private card. */
export async function requirePrivateProof(deps: Pick<ServiceDeps, 'store'>, linkId: string, openid: string): Promise<void> {
  if ((await linkAudience(deps, linkId)) !== 'private') return;
  if (await deps.store.hasPrivateProof(linkId, openid)) return;
  throw new AppError('PRIVATE_LINK', '这是发给特定好友的付款请求: only the friends it was sent to can pay it (open it from the card you received).');
}

/**
 * What the friend view adds for the link's audience (read with the view, no extra statement): the
 * audience and, for the viewer of a private link, whether they proved receipt.
 */
export async function audienceView(deps: Pick<ServiceDeps, 'store'>, view: Pick<FriendLinkView, 'link' | 'audience'>, viewer: string | undefined): Promise<{ audience: LinkAudience; private_proof?: boolean }> {
  const { audience } = view;
  if (audience !== 'private' || viewer === undefined) return { audience };
  return { audience, private_proof: await deps.store.hasPrivateProof(view.link.id, viewer) };
}
