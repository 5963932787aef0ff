/** A TCP proxy that can be cut (every connection dropped, new ones refused) and restored. */
import type { AddressInfo, Server, Socket } from 'node:net';
import { connect, createServer } from 'node:net';

export interface CuttableProxy {
  readonly port: number;
  /** Drops every connection and stops listening: clients see resets, then ECONNREFUSED. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startCuttableProxy(host: string, port: number): Promise<CuttableProxy> {
  const sockets = new Set<Socket>();
  const make = (): Server =>
    createServer((socket) => {
      const upstream = connect(port, host);
      for (const s of [socket, upstream]) {
        sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => sockets.delete(s));
      }
      socket.pipe(upstream).pipe(socket);
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
    });
  let server: Server | undefined = make();
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const listenPort = (server.address() as AddressInfo).port;
  const stop = async (): Promise<void> => {
    const current = server;
    server = undefined;
    if (!current) return;
    const closed = new Promise<void>((resolve) => current.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    port: listenPort,
    cut: stop,
    async restore() {
      if (server) return;
      const next = make();
      await new Promise<void>((resolve) => next.listen(listenPort, '127.0.0.1', resolve));
      server = next;
    },
    close: stop,
  };
}
