// The mini program's small rules, without rendering: money typed by a friend, countdowns,
// quick amounts, screens, polling with backoff, problem mapping.
import { describe, expect, it } from 'vitest';
import { errorCatalog } from '../../shared/errors';
import { linkCodeFromLandingUrl, linkRefFromQuery } from '../../shared/link-ref';
import { ApiError, requestJson } from '../../miniprogram/src/api/http';
import { pollPayment } from '../../miniprogram/src/api/payment';
import { formatCountdown, parseYuanInput } from '../../miniprogram/src/format';
import { messagesFor } from '../../miniprogram/src/i18n/messages';
import { quickAmounts, screenOf } from '../../miniprogram/src/pages/pay/pay-state';
import { friendView, paymentView, problem } from './support/fixtures';
import { taro } from './support/taro-double';

describe('amounts a friend types', () => {
  it('reads yuan as whole fen without float rounding', () => {
    expect(parseYuanInput('12')).toBe(1200);
    expect(parseYuanInput('12.3')).toBe(1230);
    expect(parseYuanInput('0.29')).toBe(29);
    expect(parseYuanInput(' ¥1.05 ')).toBe(105);
    expect(parseYuanInput('12.')).toBe(1200);
  });

  it('refuses what is not an amount', () => {
    for (const text of ['', 'abc', '1.234', '-1', '1e3', '12,00']) expect(parseYuanInput(text)).toBeUndefined();
  });

  it('offers everything, half, then round sums below what remains', () => {
    expect(quickAmounts(7500)).toEqual([7500, 3750, 1000, 2000]);
    expect(quickAmounts(1)).toEqual([1]);
    expect(quickAmounts(2000)).toEqual([2000, 1000]);
  });
});

describe('countdowns', () => {
  const t = messagesFor('zh');
  it('formats hours, minutes, seconds, and days when needed', () => {
    expect(formatCountdown(5_400_000, t)).toBe('01:30:00');
    expect(formatCountdown(90_061_000, t)).toBe('1天 01:01:01');
    expect(formatCountdown(-5, t)).toBe('00:00:00');
    expect(formatCountdown(90_061_000, messagesFor('en'))).toBe('1d 01:01:01');
  });
});

describe('screens', () => {
  it('lets what the friend is doing win over what the link says', () => {
    const loaded = { kind: 'loaded' as const, view: friendView({ link: { status: 'paid' } }), offsetMs: 0 };
    expect(screenOf(loaded, { kind: 'idle' })).toBe('paid-by-other');
    expect(screenOf(loaded, { kind: 'waiting', payment: paymentView(), slow: false })).toBe('waiting');
    expect(screenOf({ kind: 'loading' }, { kind: 'starting' })).toBe('paying');
  });
});

describe('waiting for a payment', () => {
  const instant = (): Promise<void> => Promise.resolve();

  it('asks until the payment is settled, riding out dropped connections', async () => {
    const answers = [new ApiError('NETWORK_ERROR', 0, 'down'), paymentView(), paymentView({ status: 'paid' })];
    let calls = 0;
    const settled = await pollPayment(
      () => {
        const next = answers[calls++];
        return next instanceof ApiError ? Promise.reject(next) : Promise.resolve(next ?? paymentView());
      },
      { sleep: instant },
    );
    expect(settled?.status).toBe('paid');
    expect(calls).toBe(3);
  });

  it('backs off between questions', async () => {
    const slept: number[] = [];
    let calls = 0;
    await pollPayment(() => Promise.resolve(paymentView({ status: ++calls === 5 ? 'closed' : 'created' })), { sleep: (ms) => Promise.resolve(void slept.push(ms)) });
    expect(slept).toEqual([500, 1000, 1500, 2000]);
  });

  it('gives up at the deadline', async () => {
    expect(await pollPayment(() => Promise.resolve(paymentView()), { sleep: instant, deadlineMs: -1 })).toBeUndefined();
  });

  it('stops on an error that retrying cannot fix', async () => {
    await expect(pollPayment(async () => Promise.reject(new ApiError('PAYMENT_NOT_FOUND', 404, 'gone')), { sleep: instant })).rejects.toMatchObject({ code: 'PAYMENT_NOT_FOUND' });
  });
});

describe('the API client', () => {
  it('turns a problem into an ApiError with its code and retry_after', async () => {
    taro.server.on('POST', /^\/v1\/pay\/x\/payments$/, problem('LINK_BUSY', { retry_after: 42 }));
    await expect(requestJson('/v1/pay/x/payments', { method: 'POST', body: {} })).rejects.toMatchObject({ code: 'LINK_BUSY', status: 409, retryAfter: 42 });
  });

  it('parses a problem the runtime handed over as text', async () => {
    taro.server.on('GET', /^\/v1\/pay\/x$/, { status: 410, body: JSON.stringify({ code: 'LINK_EXPIRED', status: 410, title: 'Link expired' }) });
    await expect(requestJson('/v1/pay/x')).rejects.toMatchObject({ code: 'LINK_EXPIRED' });
  });

  it('calls an answer without a known code unexpected, and no answer a network error', async () => {
    taro.server.on('GET', /^\/html$/, { status: 502, body: '<html>Bad gateway</html>' });
    taro.server.on('GET', /^\/down$/, 'network-error');
    await expect(requestJson('/html')).rejects.toMatchObject({ code: 'UNEXPECTED_RESPONSE', status: 502, transient: true });
    await expect(requestJson('/down')).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0, transient: true });
  });

  it('has friendly words for every problem code, in both languages', () => {
    for (const locale of ['zh', 'en'] as const) {
      const { problems } = messagesFor(locale);
      for (const code of Object.keys(errorCatalog)) expect(problems[code as keyof typeof problems]).toMatch(/\S/);
    }
  });
});

describe('where the pay page finds its link', () => {
  it('reads t, then scene (URI-encoded by WeChat), then code, then q', () => {
    expect(linkRefFromQuery({ t: 'a.b.c', scene: 'lnk_1.x' })).toBe('a.b.c');
    expect(linkRefFromQuery({ scene: encodeURIComponent('lnk_AbC.xyz-12') })).toBe('lnk_AbC.xyz-12');
    expect(linkRefFromQuery({ code: 'lnk_AbC.xyz-12' })).toBe('lnk_AbC.xyz-12');
    expect(linkRefFromQuery({ q: encodeURIComponent('https://pay.example.com/p/lnk_AbC.xyz-12') })).toBe('lnk_AbC.xyz-12');
    expect(linkRefFromQuery({})).toBeUndefined();
  });

  it('takes the code out of a plain-link QR URL however it arrives, and nothing out of other URLs', () => {
    const url = 'https://pay.example.com/p/lnk_AbC.xyz-12';
    expect(linkCodeFromLandingUrl(encodeURIComponent(url))).toBe('lnk_AbC.xyz-12');
    // Some runtimes decode the launch query once already.
    expect(linkCodeFromLandingUrl(url)).toBe('lnk_AbC.xyz-12');
    expect(linkCodeFromLandingUrl(encodeURIComponent(encodeURIComponent(url)))).toBe('lnk_AbC.xyz-12');
    // A deployment under a path prefix, and a trailing slash or query.
    expect(linkCodeFromLandingUrl(encodeURIComponent('https://shop.example.com/friend-pay/p/lnk_AbC.xyz-12/?from=poster'))).toBe('lnk_AbC.xyz-12');
    for (const other of ['https://pay.example.com/', 'https://pay.example.com/p/', 'https://pay.example.com/p/lnk_1.x/qr.png', 'not a url', '%E0%A4%A']) {
      expect(linkCodeFromLandingUrl(encodeURIComponent(other))).toBeUndefined();
    }
  });
});
