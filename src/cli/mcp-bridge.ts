/**
 * `switchboard mcp`: an MCP server on stdio that relays every message to the server's
 * /mcp (Streamable HTTP) with the CLI's token, and every answer and notification back.
 * The tools, their permissions and their audit are the server's, exactly as over HTTP;
 * this process only carries bytes. stdout carries the protocol and nothing else
 * (diagnostics go to stderr).
 */
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js';
import { connectionReason } from './client.ts';

/** JSON-RPC's "server error" range: the request could not be relayed. */
const RELAY_FAILED = -32000;

/** The remote end of the bridge: the server's /mcp, authenticated by the bearer token. */
export function remoteMcp(baseUrl: string, token: string | undefined): StreamableHTTPClientTransport {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  return new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), { requestInit: { headers } });
}

/** A one-line reason for a failed relay; never the token (fetch errors do not carry headers). */
function relayError(err: unknown, url: string): { message: string; status?: number } {
  if (err instanceof StreamableHTTPError && err.code !== undefined) {
    const body = /\{.*\}/s.exec(err.message)?.[0];
    let detail = err.message;
    try {
      const parsed = body === undefined ? undefined : (JSON.parse(body) as { error?: { code?: unknown; message?: unknown } });
      if (typeof parsed?.error?.code === 'string' && typeof parsed.error.message === 'string') detail = `${parsed.error.code}: ${parsed.error.message}`;
    } catch {
      // not our error body: keep the transport's text
    }
    const hint = err.code === 401 ? ' (check the token: switchboard login, $SWITCHBOARD_TOKEN or the config file)' : '';
    return { message: `Switchboard at ${url} refused the request (HTTP ${err.code}) ${detail}${hint}`, status: err.code };
  }
  if (err instanceof TypeError) return { message: `cannot reach Switchboard at ${url} (${connectionReason(err)})` };
  return { message: err instanceof Error ? err.message : String(err) };
}

/**
 * Relays between `local` (the MCP client's stdio) and `remote` until `local` closes.
 * A request that cannot be relayed is answered with a JSON-RPC error, so the client
 * never waits for an answer that will not come.
 */
export async function runMcpBridge(local: Transport, remote: StreamableHTTPClientTransport, options: { readonly url: string; readonly note: (line: string) => void }): Promise<void> {
  const initializing = new Set<RequestId>();
  const closed = new Promise<void>((resolve) => {
    local.onclose = () => resolve();
  });
  remote.onmessage = (message: JSONRPCMessage) => {
    // The negotiated version goes on every later request (Mcp-Protocol-Version), as the SDK's client does.
    if (isJSONRPCResultResponse(message) && initializing.delete(message.id)) {
      const version = message.result['protocolVersion'];
      if (typeof version === 'string') remote.setProtocolVersion(version);
    }
    local.send(message).catch((err: unknown) => options.note(`switchboard mcp: cannot write to stdout: ${String(err)}`));
  };
  remote.onerror = (err) => options.note(`switchboard mcp: ${relayError(err, options.url).message}`);
  local.onerror = (err) => options.note(`switchboard mcp: bad input on stdin: ${err.message}`);
  local.onmessage = (message: JSONRPCMessage) => {
    if (isJSONRPCRequest(message) && message.method === 'initialize') initializing.add(message.id);
    remote.send(message).catch(async (err: unknown) => {
      const failure = relayError(err, options.url);
      options.note(`switchboard mcp: ${failure.message}`);
      if (!isJSONRPCRequest(message)) return;
      const data = failure.status === undefined ? undefined : { http_status: failure.status };
      await local.send({ jsonrpc: '2.0', id: message.id, error: { code: RELAY_FAILED, message: failure.message, ...(data !== undefined ? { data } : {}) } });
    });
  };
  await remote.start();
  await local.start();
  await closed;
  await remote.close();
}
