/**
 * `GET /p/{code}`: the page a link opens outside WeChat (a browser, QQ, SMS). It shows who asks,
 * for what and how much, and a QR code to scan in WeChat, where the paying happens.
 */
import { Router } from 'express';
import QRCode from 'qrcode';
import { chinaTimeName, formatChinaDateTime } from '../../../shared/china-time';
import { bilingualState } from '../../../shared/glossary';
import { maskName } from '../../../shared/mask';
import { formatYuan } from '../../../shared/money';
import { itemLine } from '../../../shared/order-items';
import { isAppError } from '../errors/app-error';
import { readFriendLink } from '../links/link-service';
import type { ServiceDeps } from '../service-deps';
import { escapeHtml, htmlSecurityHeaders, safeUrl } from './html';

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
</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

function errorPage(title: string, message: string): string {
  return page(title, `<div class="card"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></div>`);
}

/** The landing page route. */
export function landingRoutes(deps: ServiceDeps): Router {
  const router = Router();

  router.get('/p/:code', async (req, res) => {
    res.set(htmlSecurityHeaders);
    let view;
    try {
      view = await readFriendLink(deps, req.params.code);
    } catch (error: unknown) {
      if (isAppError(error, 'LINK_INVALID')) {
        res.status(400).type('html').send(errorPage('链接无效 · Invalid link', '这个付款链接无效或已被篡改。 This pay link is malformed or has been tampered with.'));
        return;
      }
      if (isAppError(error, 'LINK_NOT_FOUND')) {
        res.status(404).type('html').send(errorPage('链接不存在 · Link not found', '找不到这个付款链接。 This pay link does not exist.'));
        return;
      }
      throw error;
    }
    const { link, order, shopName } = view;
    const due = order.status === 'pending' ? Math.max(0, order.amountTotal - order.amountPaid) : 0;
    const url = `${deps.publicBaseUrl}/p/${req.params.code}`;
    const qr = await QRCode.toDataURL(url, { errorCorrectionLevel: 'M', margin: 1, width: 440 });
    const avatar = safeUrl(link.requesterAvatarUrl);
    const items = order.items
      .map(itemLine)
      .map((line) => `<li><span class="item-title">${escapeHtml(line.title)}</span><span class="item-unit muted">${escapeHtml(line.unitText)}</span><span class="item-total">${escapeHtml(line.totalText)}</span></li>`)
      .join('');
    const live = link.status === 'active';
    const body = `
<div class="card">
  <p>${avatar ? `<img class="avatar" alt="" src="${escapeHtml(avatar)}">` : ''}<strong>${escapeHtml(maskName(link.requesterName))}</strong> 请你帮忙付款 · asks you to pay</p>
  ${link.message ? `<p class="message">“${escapeHtml(link.message)}”</p>` : ''}
  <p class="muted">商家 · Shop: <strong>${escapeHtml(shopName)}</strong></p>
  <div class="amount">${escapeHtml(formatYuan(live ? due : order.amountTotal))}</div>
  <span class="status${live ? '' : ' closed'}">${escapeHtml(bilingualState(link.status))}</span>
  <ul class="items">${items}</ul>
</div>
${live ? `<div class="card">
  <p><strong>用微信扫码付款 · Scan in WeChat to pay</strong></p>
  <img class="qr" alt="QR code for this pay link" src="${qr}">
  <p class="muted">有效期至 ${escapeHtml(formatChinaDateTime(link.expiresAt))}（${chinaTimeName.zh}）· Valid until ${escapeHtml(formatChinaDateTime(link.expiresAt))} ${chinaTimeName.en}</p>
</div>
<p class="warn">付款前请先与好友确认，谨防诈骗。 Confirm with your friend before paying: scammers send pay links too.</p>` : ''}`;
    res.status(200).type('html').send(page(`${maskName(link.requesterName)} 请你帮忙付款 · ${shopName}`, body));
  });

  return router;
}
