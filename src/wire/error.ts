/** The error body every failing route answers with (`{error: {code, message}}`). */
import { z } from 'zod';
import { jsonObject } from './primitives.ts';

export const errorView = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: jsonObject.optional(),
    request_id: z.string().optional(),
  }),
});
