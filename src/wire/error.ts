/** The error body every failing route answers with (`{error: {code, message}}`). */
import { z } from 'zod';
import { ERROR_CATALOG, type ErrorCode, type SwitchboardError } from '../core/domain/errors.ts';
import { jsonObject } from './primitives.ts';

export const errorView = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: jsonObject.optional(),
    request_id: z.string().optional(),
  }),
});

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown>; request_id?: string };
}

/** The wire form of an error, for every transport: exposed errors keep their message; others say only the catalog text. */
export function errorBody(err: SwitchboardError, requestId?: string): ErrorBody {
  const exposed = err.exposed;
  return {
    error: {
      code: err.code,
      message: exposed ? err.message : ERROR_CATALOG[err.code].message,
      ...(exposed && err.details !== undefined ? { details: { ...err.details } } : {}),
      ...(requestId !== undefined && !exposed ? { request_id: requestId } : {}),
    },
  };
}
