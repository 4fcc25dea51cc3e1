/** What a shop may send to issue a link (README.md, "API (v1)"). */
import { z } from 'zod';
import { linkModes } from '../../../shared/states';
import { httpUrl, text } from '../http/validation';

export const linkInputSchema = z.strictObject({
  requester: z.strictObject({
    id: text(1, 64),
    name: text(1, 40),
    avatar_url: httpUrl.optional(),
  }),
  message: text(0, 200).optional(),
  mode: z.enum(linkModes).optional(),
  ttl_seconds: z.number().optional(),
  // Live status in the chat: who may pay, and what the share card counts to.
  audience: z.enum(['group', 'private']).optional(),
  expected_contributions: z.number().optional(),
});

/** A validated link body. */
export type LinkInputBody = z.infer<typeof linkInputSchema>;
