/**
 * `GET /p/{code}`: the page a link opens outside the mini program (a browser, QQ, SMS). It shows
 * who asks, for what and how much, and leads into the mini program, where the paying happens,
 * by what opened it (README, "From any chat into the mini program"): WeChat's own browser goes
 * straight there (302 to the link's URL Link); a phone gets a big "Open in WeChat" button (the
 * URL Link) with the mini program code below; a desktop gets the code to scan. A link that can no
 * longer be paid shows its status only. The page draws nothing per request: the code image is
 * the kept one, fetched by the browser from `/p/{code}/qr.png`.
 */
import { Router, type Response } from 'express';
import { chinaTimeName, formatChinaDateTime } from '../../../shared/china-time';
import { bilingualState } from '../../../shared/glossary';
import { classifyLinkRef } from '../../../shared/link-ref';
import { maskName } from '../../../shared/mask';
import { formatYuan } from '../../../shared/money';
import { itemLine } from '../../../shared/order-items';
import { isAppError } from '../errors/app-error';
import type { RateLimits } from '../http/rate-limits';
import { signLinkCode } from '../links/link-code';
import { readFriendLink } from '../links/link-service';
import { linkUrlLink, unpayableProblem } from '../links/link-wechat-service';
import type { ServiceDeps } from '../service-deps';
import type { FriendLinkView, LinkRecord } from '../store/records';
import { escapeHtml, htmlSecurityHeaders, safeUrl } from './html';
import { openerOf, type Opener } from './user-agent';

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<style>
  body { font-family: -apple-system, "PingFang SC", "Microsoft YaHei", sans-serif; margin: 0; background: #f5f5f5; color: #222; }
  main { max-width: 420px; margin: 0 auto; padding: 24px 16px; }
  .card { background: #fff; border-radius: 12px; padding: 20px; margin-bottom: 16px; }
  .amount { font-size: 36px; font-weight: 600; margin: 8px 0; }
  .status { display: inline-block; padding: 2px 10px; border-radius: 10px; background: #eef7ee; color: #07a050; font-size: 14px; }
  .status.closed { background: #eee; color: #888; }
  .warn { color: #b26a00; background: #fff7e6; border-radius: 8px; padding: 10px; font-size: 14px; }
  .qr { display: block; margin: 12px auto; width: 220px; height: 220px; }
  .muted { color: #888; font-size: 13px; }
  .items { list-style: none; padding: 0; margin: 16px 0 0; }
  .items li { display: flex; align-items: baseline; gap: 8px; padding: 8px 0; border-top: 1px solid #f0f0f0; }
  .item-title { flex: 1; min-width: 0; overflow-wrap: anywhere; }
  .item-unit { white-space: nowrap; }
  .item-total { white-space: nowrap; font-weight: 600; }
  .avatar { width: 40px; height: 40px; border-radius: 50%; vertical-align: middle; margin-right: 8px; }
  .open-wechat { display: flex; align-items: center; justify-content: center; min-height: 52px; margin: 4px 0 8px; border-radius: 10px; background: #07c160; color: #fff; font-size: 18px; font-weight: 600; text-decoration: none; text-align: center; padding: 8px 12px; box-sizing: border-box; }
  .code-hint { text-align: center; margin: 12px 0 0; }
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function errorPage(title: string, message: string): string {
  return page(title, `<div class="card"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></div>`);
}

/** The part every view of a link shows: who asks, for what, how much, and the link's status. */
function summaryCard(view: FriendLinkView, payable: boolean): string {
  const { link, order, shopName } = view;
  const due = order.status === 'pending' ? Math.max(0, order.amountTotal - order.amountPaid) : 0;
  const avatar = safeUrl(link.requesterAvatarUrl);
  const items = order.items
    .map(itemLine)
    .map((line) => `<li><span class="item-title">${escapeHtml(line.title)}</span><span class="item-unit muted">${escapeHtml(line.unitText)}</span><span class="item-total">${escapeHtml(line.totalText)}</span></li>`)
    .join('');
  return `
<div class="card">
  <p>${avatar ? `<img class="avatar" alt="" src="${escapeHtml(avatar)}">` : ''}<strong>${escapeHtml(maskName(link.requesterName))}</strong> 请你帮忙付款 · asks you to pay</p>
  ${link.message ? `<p class="message">“${escapeHtml(link.message)}”</p>` : ''}
  <p class="muted">商家 · Shop: <strong>${escapeHtml(shopName)}</strong></p>
  <div class="amount">${escapeHtml(formatYuan(payable ? due : order.amountTotal))}</div>
  <span class="status${payable ? '' : ' closed'}">${escapeHtml(bilingualState(link.status))}</span>
  <ul class="items">${items}</ul>
</div>`;
}

/** When the link stops working, in the words the page uses. */
function validUntil(link: LinkRecord): string {
  return `<p class="muted">有效期至 ${escapeHtml(formatChinaDateTime(link.expiresAt))}（${chinaTimeName.zh}）· Valid until ${escapeHtml(formatChinaDateTime(link.expiresAt))} ${chinaTimeName.en}</p>`;
}

/** The mini program code to scan in WeChat (a desktop; a phone without a URL Link). */
function scanCodeCard(link: LinkRecord, codeImageUrl: string): string {
  return `<div class="card">
  <p><strong>用微信扫码付款 · Scan in WeChat to pay</strong></p>
  <img class="qr" alt="Mini program code for this pay link" src="${escapeHtml(codeImageUrl)}">
  ${validUntil(link)}
</div>`;
}

/** A phone: the big button that opens the mini program through the URL Link, and the code below it. */
function openInWechatCard(link: LinkRecord, urlLink: string, codeImageUrl: string): string {
  return `<div class="card">
  <a class="open-wechat" data-testid="open-in-wechat" href="${escapeHtml(urlLink)}">在微信中打开 · Open in WeChat</a>
  <p class="muted code-hint">或截图后在微信中扫码 · Or take a screenshot and scan it in WeChat</p>
  <img class="qr" alt="Mini program code for this pay link" src="${escapeHtml(codeImageUrl)}">
  ${validUntil(link)}
</div>`;
}

/** The warning every payable link carries. */
function fraudWarning(): string {
  return '<p class="warn">付款前请先与好友确认，谨防诈骗。 Confirm with your friend before paying: scammers send pay links too.</p>';
}

/** The whole page for a link, by what opened it; `urlLink` only for a payable link on a phone. */
function linkPage(view: FriendLinkView, payable: boolean, codeImageUrl: string, urlLink: string | undefined): string {
  const { link, shopName } = view;
  const lead = payable ? (urlLink !== undefined ? openInWechatCard(link, urlLink, codeImageUrl) : scanCodeCard(link, codeImageUrl)) : '';
  const body = `${summaryCard(view, payable)}
${payable ? `${lead}\n${fraudWarning()}` : ''}`;
  return page(`${maskName(link.requesterName)} 请你帮忙付款 · ${shopName}`, body);
}

/** Where the page's code image is served: under the link's code, whatever ref opened the page. */
function codeImageUrlOf(deps: ServiceDeps, ref: string, linkId: string): string {
  return `/p/${classifyLinkRef(ref) === 'code' ? ref : signLinkCode(deps.keyring, linkId)}/qr.png`;
}

/** The URL Link for a payable link opened on a phone or in WeChat; undefined when WeChat cannot make one now (the page then shows the code). */
async function urlLinkFor(deps: ServiceDeps, opener: Opener, link: LinkRecord): Promise<string | undefined> {
  if (opener === 'desktop') return undefined;
  try {
    return (await linkUrlLink(deps, link))?.url;
  } catch {
    // Already logged by the service; a friend still has the code to scan.
    return undefined;
  }
}

function sendHtml(res: Response, status: number, html: string): void {
  res.status(status).type('html').send(html);
}

/** The landing page route, limited per IP like the friend view. */
export function landingRoutes(deps: ServiceDeps, limits: RateLimits): Router {
  const router = Router({ caseSensitive: true });

  router.get('/p/:code', async (req, res) => {
    res.set(htmlSecurityHeaders);
    // The answer differs by device; a shared cache must not hand a phone's page to a desktop.
    res.setHeader('Vary', 'User-Agent');
    const ref = req.params.code;
    let view: FriendLinkView;
    try {
      await limits.consume('friendViewsPerIp', req.ip ?? 'unknown');
      view = await readFriendLink(deps, ref);
    } catch (error: unknown) {
      if (isAppError(error, 'RATE_LIMITED')) {
        res.setHeader('Retry-After', String(error.extras.retryAfter ?? 60));
        sendHtml(res, 429, errorPage('请稍后再试 · Too many requests', '打开得太频繁了，请稍后再试。 Too many pages opened from here; try again in a minute.'));
        return;
      }
      if (isAppError(error, 'LINK_INVALID')) {
        sendHtml(res, 400, errorPage('链接无效 · Invalid link', '这个付款链接无效或已被篡改。 This pay link is malformed or has been tampered with.'));
        return;
      }
      if (isAppError(error, 'LINK_NOT_FOUND')) {
        sendHtml(res, 404, errorPage('链接不存在 · Link not found', '找不到这个付款链接。 This pay link does not exist.'));
        return;
      }
      throw error;
    }
    const opener = openerOf(req.get('user-agent'));
    const payable = unpayableProblem(view.link, view.order, deps.clock.now()) === undefined;
    // No URL Link is made for a link that cannot be paid any more.
    const urlLink = payable ? await urlLinkFor(deps, opener, view.link) : undefined;
    if (opener === 'wechat' && urlLink !== undefined) {
      res.redirect(302, urlLink);
      return;
    }
    sendHtml(res, 200, linkPage(view, payable, codeImageUrlOf(deps, ref, view.link.id), opener === 'phone' ? urlLink : undefined));
  });

  return router;
}
