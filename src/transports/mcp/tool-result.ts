/**
 * Tool results: a value as JSON text plus structured content, and an error as an MCP
 * tool error (`isError`) carrying the same `{error: {code, message}}` body as HTTP.
 */
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { SwitchboardError } from '../../core/domain/errors.ts';
import type { Logger } from '../../core/ports/logger.ts';
import { errorBody } from '../http/error-map.ts';

/** A successful result: the wire object as text (for models) and as structured content (for programs). */
export function toolResult(value: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(value) }], structuredContent: value };
}

/** A failed call: our errors keep their code and exposed message; anything else is INTERNAL and logged. */
export function toolError(err: unknown, logger: Logger, tool: string): CallToolResult {
  if (!(err instanceof SwitchboardError)) {
    logger.error({ err, tool }, 'MCP tool failed unexpectedly');
    err = new SwitchboardError('INTERNAL');
  }
  const body = errorBody(err as SwitchboardError);
  // Text only: a client checks structured content against the tool's output schema, errors included.
  return { isError: true, content: [{ type: 'text', text: JSON.stringify(body) }] };
}

/** Runs a tool body and turns any throw into a tool error. */
export async function guarded(tool: string, logger: Logger, body: () => Promise<Record<string, unknown>>): Promise<CallToolResult> {
  try {
    return toolResult(await body());
  } catch (err) {
    return toolError(err, logger, tool);
  }
}
