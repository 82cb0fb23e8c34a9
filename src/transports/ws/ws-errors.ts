/**
 * Errors on the WebSocket transport: the HTTP transport's error body (src/wire/error.ts)
 * in an `error` frame, and the one table of close codes for a refused hello.
 */
import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { z } from 'zod';
import { SwitchboardError, isSwitchboardError, type ErrorCode } from '../../core/domain/errors.ts';
import { errorBody, type ErrorBody } from '../../wire/error.ts';
import { WsCloseCodes, type RequestId } from '../../wire/ws-protocol.ts';

/** The close code of a hello refused with `code` (unlisted codes: 4400, a bad hello). */
export const HELLO_CLOSE_CODES: Readonly<Partial<Record<ErrorCode, number>>> = {
  AUTH_REQUIRED: WsCloseCodes.AUTH,
  AUTH_INVALID: WsCloseCodes.AUTH,
  AUTH_FORBIDDEN: WsCloseCodes.FORBIDDEN,
  DEVICE_REVOKED: WsCloseCodes.FORBIDDEN,
  WS_PROTOCOL_UNSUPPORTED: WsCloseCodes.PROTOCOL_UNSUPPORTED,
  STORE_UNAVAILABLE: WsCloseCodes.INTERNAL,
  INTERNAL: WsCloseCodes.INTERNAL,
};

export function helloCloseCode(code: ErrorCode): number {
  return HELLO_CLOSE_CODES[code] ?? WsCloseCodes.BAD_HELLO;
}

/** A zod failure as the HTTP transport reports it: the first issue in the message, all in details. */
export function validationError(error: z.ZodError): SwitchboardError {
  const issues = error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(message)', message: i.message }));
  const first = issues[0];
  return new SwitchboardError('VALIDATION_FAILED', first ? `${first.path}: ${first.message}` : 'The message is not valid', { issues });
}

/** The request id of a message that may not have passed its schema; null when it has no usable one. */
export function requestIdOf(value: unknown): RequestId | null {
  const id = (value as { id?: unknown } | null)?.id;
  return (typeof id === 'string' && id.length > 0 && id.length <= 64) || (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) ? id : null;
}

/** The wire form of any failure; an unexpected one is logged under the request id the client sees. */
export function wireError(err: unknown, logger: FastifyBaseLogger): ErrorBody {
  if (isSwitchboardError(err) && err.exposed) return errorBody(err);
  const requestId = randomUUID();
  logger.error({ err, reqId: requestId }, 'websocket request failed');
  return errorBody(isSwitchboardError(err) ? err : new SwitchboardError('INTERNAL'), requestId);
}
