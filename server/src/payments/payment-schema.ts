/** What a friend may send to pay (README.md, "API (v1)"). */
import { z } from 'zod';
import { text } from '../http/validation';

/** `POST /v1/pay/{ref}/payments` body. */
export const createPaymentSchema = z.strictObject({
  amount: z.number().optional().meta({ description: 'Group mode: how much this friend pays, in fen (1 to what remains). Single mode: omit.' }),
  // Checked like the requester's name; surrounding spaces are not part of it.
  payer_name: z.string().transform((value) => value.trim()).pipe(text(1, 20)).optional()
    .meta({ description: 'How the shopper should know this friend (1-20 characters, no control characters). Without it the friend is "微信好友 N".' }),
});
