/** A loopback TCP proxy whose connections a test can cut (a network drop, for reconnect tests). */
import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  readonly url: string;
  /** Destroys every open connection (both sides see the link drop). */
  cut(): void;
  /** While paused, new connections are refused (closed at once). */
  pause(paused: boolean): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: string): Promise<TcpProxy> {
  const t = new URL(target);
  const open = new Set<Socket>();
  let paused = false;
  const server = createServer((client) => {
    if (paused) return void client.destroy();
    const upstream = connect(Number(t.port), t.hostname);
    open.add(client);
    open.add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no proxy address');
  return {
    url: `http://127.0.0.1:${address.port}`,
    cut: () => {
      for (const s of [...open]) s.destroy();
    },
    pause: (p) => {
      paused = p;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of [...open]) s.destroy();
        server.close(() => resolve());
      }),
  };
}
