// QA endpoints that drive the simulators (sandbox only): what the mini program's sandbox pay
// sheet and QA engineers call instead of WeChat's own apps.
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { z } from 'zod';
import { SandboxError } from './sandbox-error';
import { LOGIN_FAULT_ERRCODES, type WechatLoginSimulator } from './wechat-login-simulator';
import { FAULT_ENDPOINTS, type FaultPatch, type FaultState } from './wechatpay/faults';
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
  login: z
    .strictObject({
      errcode: z.union(LOGIN_FAULT_ERRCODES.map((code) => z.literal(code))),
      times: z.number().int().min(1).max(1000).optional(),
    })
    .nullable()
    .optional(),
});

type FaultsBody = z.infer<typeof faultsBodySchema>;

/** The simulators the QA endpoints drive. */
export interface SandboxWechatRoutesOptions {
  paySimulator: WechatPaySimulator;
  loginSimulator: WechatLoginSimulator;
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
  const { paySimulator, loginSimulator } = options;
  const router = express.Router();
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
      login: login === null ? null : { errcode: login.errcode, remaining: login.remaining ?? null },
    };
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

  router.get('/faults', (_req: Request, res: Response) => {
    res.json(faultsView(paySimulator.faults.current()));
  });

  router.post('/faults', json, (req: Request, res: Response) => {
    const body = parseBody(faultsBodySchema, req, res);
    if (body === undefined) return;
    if (body.reset === true) loginSimulator.faults.reset();
    if (body.login !== undefined) loginSimulator.faults.set(body.login);
    res.json(faultsView(paySimulator.faults.set(toPatch(body))));
  });

  router.delete('/faults', (_req: Request, res: Response) => {
    loginSimulator.faults.reset();
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
