// QA endpoints that drive the simulators (sandbox only): what the mini program's sandbox pay
// sheet and QA engineers call instead of WeChat's own apps.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { SandboxError } from './sandbox-error';
import { PLATFORM_ERRCODES } from '../../wechat/platform/platform-consts';
import { LOGIN_FAULT_ERRCODES, type WechatLoginSimulator } from './wechat-login-simulator';
import type { SimulatedPlatformApi, WechatPlatformSimulator } from './wechat-platform-simulator';
import { FAULT_ENDPOINTS, SIGNING_CHOICES, type FaultPatch, type FaultState } from './wechatpay/faults';
import type { WechatPaySimulator } from './wechatpay/simulator';

/** `POST /sandbox/wx/login` body. */
export const loginBodySchema = z.strictObject({
  openid: z.string().regex(/^[0-9A-Za-z_-]{1,128}$/, 'must be 1-128 characters of [0-9A-Za-z_-]').optional(),
});

/** `POST /sandbox/wechatpay/pay` body. */
export const payBodySchema = z.strictObject({
  prepay_id: z.string().min(1).max(64),
  openid: z.string().min(1).max(128),
  outcome: z.enum(['success', 'cancel', 'fail']),
});

const endpointFaultSchema = z.strictObject({
  fail: z.enum(['5xx', 'timeout']),
  status: z.number().int().min(500).max(599).optional(),
  times: z.number().int().min(1).max(1000).optional(),
});

/** The server APIs (codes, URL Links, tokens) whose answers QA can force. */
const PLATFORM_APIS = ['stable_token', 'getwxacodeunlimit', 'generate_urllink'] as const satisfies readonly SimulatedPlatformApi[];
/** What a forced answer may be: any error WeChat gives for these APIs (45009 quota, -1 busy, 40001 stale token, 41030 page, ...). */
const PLATFORM_FAULT_ERRCODES = Object.values(PLATFORM_ERRCODES).filter((errcode) => errcode !== PLATFORM_ERRCODES.OK);

const platformFaultsSchema = z.strictObject({
  /** Per API: answer `errcode` to the next `times` calls (all, without `times`); null clears. */
  faults: z
    .partialRecord(
      z.enum(PLATFORM_APIS),
      z
        .strictObject({
          errcode: z.number().int().refine((errcode) => (PLATFORM_FAULT_ERRCODES as readonly number[]).includes(errcode), `must be one of ${PLATFORM_FAULT_ERRCODES.join(', ')}`),
          times: z.number().int().min(1).max(1000).optional(),
        })
        .nullable(),
    )
    .optional(),
  /** Invalidates every access token handed out, as another holder's forced refresh would: the next call answers 40001. */
  revoke_access_tokens: z.literal(true).optional(),
});

/** `POST /sandbox/faults` body. */
export const faultsBodySchema = z.strictObject({
  reset: z.boolean().optional(),
  notifications: z
    .strictObject({
      delay_ms: z.number().int().min(0).max(3_600_000).optional(),
      duplicate: z.boolean().optional(),
      drop: z.boolean().optional(),
      reorder: z.boolean().optional(),
      reorder_window_ms: z.number().int().min(1).max(600_000).optional(),
    })
    .optional(),
  endpoints: z.partialRecord(z.enum(FAULT_ENDPOINTS), endpointFaultSchema.nullable()).optional(),
  fail_next_close: z.boolean().optional(),
  /** Which key signs answers and notifications: `random` plays WeChat's switch from certificates to the public key. */
  sign_with: z.enum(SIGNING_CHOICES).optional(),
  bills: z.strictObject({ not_ready: z.boolean().optional(), hash_mismatch: z.boolean().optional() }).optional(),
  // How the next refunds settle (REFUND.ABNORMAL / REFUND.CLOSED notifications and query answers); null: SUCCESS again.
  refund_outcome: z
    .strictObject({ status: z.enum(['ABNORMAL', 'CLOSED']), times: z.number().int().min(1).max(1000).optional() })
    .nullable()
    .optional(),
  login: z
    .strictObject({
      errcode: z.union(LOGIN_FAULT_ERRCODES.map((code) => z.literal(code))),
      times: z.number().int().min(1).max(1000).optional(),
    })
    .nullable()
    .optional(),
  /** WeChat's server API: codes, URL Links, access tokens. */
  wechat_api: platformFaultsSchema.optional(),
});

type FaultsBody = z.infer<typeof faultsBodySchema>;


/** The simulators the QA endpoints drive. */
export interface SandboxWechatRoutesOptions {
  paySimulator: WechatPaySimulator;
  loginSimulator: WechatLoginSimulator;
  /** WeChat's server API for codes and URL Links, when it is simulated too. */
  platformSimulator?: WechatPlatformSimulator | undefined;
}

function problem(res: Response, status: number, code: string, title: string, detail: string): void {
  res.status(status).type('application/problem+json').send(JSON.stringify({ type: 'about:blank', title, status, code, detail }));
}

function parseBody<T>(schema: z.ZodType<T>, req: Request, res: Response): T | undefined {
  const parsed = schema.safeParse(req.body ?? {});
  if (parsed.success) return parsed.data;
  problem(res, 400, 'VALIDATION_FAILED', 'Request validation failed', z.prettifyError(parsed.error));
  return undefined;
}

function toPatch(body: FaultsBody): FaultPatch {
  const patch: FaultPatch = {};
  if (body.reset !== undefined) patch.reset = body.reset;
  if (body.fail_next_close !== undefined) patch.failNextClose = body.fail_next_close;
  if (body.sign_with !== undefined) patch.signWith = body.sign_with;
  if (body.bills !== undefined) {
    patch.bills = {
      ...(body.bills.not_ready === undefined ? {} : { notReady: body.bills.not_ready }),
      ...(body.bills.hash_mismatch === undefined ? {} : { hashMismatch: body.bills.hash_mismatch }),
    };
  }
  if (body.refund_outcome !== undefined) {
    const outcome = body.refund_outcome;
    patch.refundOutcome = outcome === null ? null : { status: outcome.status, ...(outcome.times === undefined ? {} : { times: outcome.times }) };
  }
  if (body.notifications !== undefined) {
    const n = body.notifications;
    patch.notifications = {
      ...(n.delay_ms === undefined ? {} : { delayMs: n.delay_ms }),
      ...(n.duplicate === undefined ? {} : { duplicate: n.duplicate }),
      ...(n.drop === undefined ? {} : { drop: n.drop }),
      ...(n.reorder === undefined ? {} : { reorder: n.reorder }),
      ...(n.reorder_window_ms === undefined ? {} : { reorderWindowMs: n.reorder_window_ms }),
    };
  }
  if (body.endpoints !== undefined) {
    patch.endpoints = Object.fromEntries(
      Object.entries(body.endpoints).map(([name, fault]) => [
        name,
        fault === null || fault === undefined ? null : { fail: fault.fail, ...(fault.status === undefined ? {} : { status: fault.status }), ...(fault.times === undefined ? {} : { times: fault.times }) },
      ]),
    );
  }
  return patch;
}

/** Creates the router of the QA endpoints, relative to its mount point (`/sandbox`). */
export function createSandboxWechatRoutes(options: SandboxWechatRoutesOptions): Router {
  const { paySimulator, loginSimulator, platformSimulator } = options;
  const router = express.Router({ caseSensitive: true });
  // Parsed per route, not router-wide: mounted at `/sandbox`, a router-wide parser would also
  // consume the bodies meant for the simulators below it, whose signatures cover the raw bytes.
  const json = express.json({ limit: '16kb' });

  const faultsView = (state: FaultState): Record<string, unknown> => {
    const login = loginSimulator.faults.current();
    return {
      notifications: {
        delay_ms: state.notifications.delayMs,
        duplicate: state.notifications.duplicate,
        drop: state.notifications.drop,
        reorder: state.notifications.reorder,
        reorder_window_ms: state.notifications.reorderWindowMs,
      },
      endpoints: Object.fromEntries(Object.entries(state.endpoints).map(([name, fault]) => [name, { fail: fault.fail, status: fault.status, remaining: fault.remaining ?? null }])),
      fail_next_close: state.failNextClose,
      sign_with: state.signWith,
      bills: { not_ready: state.bills.notReady, hash_mismatch: state.bills.hashMismatch },
      refund_outcome: state.refundOutcome === null ? null : { status: state.refundOutcome.status, remaining: state.refundOutcome.remaining ?? null },
      login: login === null ? null : { errcode: login.errcode, remaining: login.remaining ?? null },
      // Only where WeChat's server API is simulated too.
      ...(platformSimulator === undefined
        ? {}
        : { wechat_api: { faults: Object.fromEntries(platformSimulator.faults.current().map((fault) => [fault.api, { errcode: fault.errcode, remaining: fault.remaining ?? null }])) } }),
    };
  };

  const applyPlatformFaults = (body: FaultsBody): void => {
    if (body.reset === true) platformSimulator?.faults.clear();
    const change = body.wechat_api;
    if (change === undefined) return;
    if (platformSimulator === undefined) throw new SandboxError('NOT_SIMULATED', 409, "WeChat's server API is not simulated here (a WeChat login is configured)");
    for (const [api, fault] of Object.entries(change.faults ?? {}) as [SimulatedPlatformApi, { errcode: number; times?: number } | null | undefined][]) {
      if (fault === null || fault === undefined) platformSimulator.faults.clear(api);
      else platformSimulator.faults.set({ api, errcode: fault.errcode, ...(fault.times === undefined ? {} : { times: fault.times }) });
    }
    if (change.revoke_access_tokens === true) platformSimulator.revokeAccessTokens();
  };

  router.post('/wx/login', json, (req: Request, res: Response) => {
    const body = parseBody(loginBodySchema, req, res);
    if (body === undefined) return;
    res.json(loginSimulator.issueCode(body.openid));
  });

  router.post('/wechatpay/pay', json, (req: Request, res: Response) => {
    const body = parseBody(payBodySchema, req, res);
    if (body === undefined) return;
    const result = paySimulator.pay(body.prepay_id, body.openid, body.outcome);
    res.json({ out_trade_no: result.outTradeNo, trade_state: result.tradeState, transaction_id: result.transactionId ?? null, notification_id: result.notificationId ?? null });
  });

  // WeChat Pay's side of the books, for QA and for tests that compare it with ours.
  router.get('/wechatpay/ledger', (_req: Request, res: Response) => {
    const ledger = options.paySimulator.ledger;
    res.json({ transactions: ledger.transactions(), refunds: ledger.refunds() });
  });

  // WeChat Pay's platform certificates: what `/v3/certificates` lists, and a rotation (a successor
  // that signs from now on while the old one stays valid).
  const certificatesView = () => paySimulator.certificates.listed().map((c) => ({ serial_no: c.serial, effective_time: new Date(c.notBefore).toISOString(), expire_time: new Date(c.notAfter).toISOString() }));
  router.get('/wechatpay/certificates', (_req: Request, res: Response) => {
    res.json({ certificates: certificatesView() });
  });
  router.post('/wechatpay/certificates/rotate', (_req: Request, res: Response) => {
    const issued = paySimulator.certificates.rotate();
    res.status(201).json({ issued: issued.serial, certificates: certificatesView() });
  });

  router.get('/faults', (_req: Request, res: Response) => {
    res.json(faultsView(paySimulator.faults.current()));
  });

  router.post('/faults', json, (req: Request, res: Response) => {
    const body = parseBody(faultsBodySchema, req, res);
    if (body === undefined) return;
    if (body.reset === true) loginSimulator.faults.reset();
    if (body.login !== undefined) loginSimulator.faults.set(body.login);
    applyPlatformFaults(body);
    res.json(faultsView(paySimulator.faults.set(toPatch(body))));
  });

  router.delete('/faults', (_req: Request, res: Response) => {
    loginSimulator.faults.reset();
    platformSimulator?.faults.clear();
    res.json(faultsView(paySimulator.faults.reset()));
  });

  router.use((error: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (error instanceof SandboxError) return problem(res, error.status, error.code, 'Sandbox action refused', error.message);
    const status = (error as { status?: unknown }).status;
    const type = (error as { type?: unknown }).type;
    if (status === 400 && type === 'entity.parse.failed') return problem(res, 400, 'MALFORMED_JSON', 'Malformed JSON body', 'the body is not valid JSON');
    if (status === 413) return problem(res, 413, 'BODY_TOO_LARGE', 'Request body too large', 'bodies over 16 KiB are refused');
    next(error);
  });

  return router;
}
