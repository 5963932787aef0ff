/**
 * `serve` put together: adapters from the config, the sync service, and the HTTP server in
 * front of it. The CLI command and the end-to-end tests both start the service through here, so
 * tests exercise exactly what runs in production.
 */
import type { Logger } from 'pino';

import type { SyncServiceOptions } from '../app/sync/sync-service.js';
import { SyncService } from '../app/sync/sync-service.js';
import type { WiringOptions } from '../app/wiring.js';
import { entitlementServiceFrom } from '../app/entitlements/entitlements-from-adapters.js';
import { buildAdapters } from '../app/wiring.js';
import type { LoadedConfig } from '../config/load-config.js';
import type { Store } from '../ports/store.js';
import type { HttpServer } from './http-server.js';
import { buildHttpServer } from './http-server.js';

export interface StartSyncServerOptions {
  readonly loaded: LoadedConfig;
  readonly logger: Logger;
  /** Listen address; default server.host / server.port from the config. */
  readonly host?: string;
  readonly port?: number;
  readonly wiring?: WiringOptions;
  /** Service tuning (tests: small delays, short intervals). */
  readonly service?: Omit<SyncServiceOptions, 'adapters' | 'store' | 'logger'>;
  readonly hookBodyLimit?: number;
}

export interface RunningSyncServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly service: SyncService;
  readonly store: Store;
  readonly http: HttpServer;
  /**
   * Graceful stop: HTTP stops taking requests (intake first), the service stops and finishes or
   * releases in-flight keys within `graceMs`, then sockets and the store close.
   */
  close(graceMs?: number): Promise<void>;
}

/** Builds everything, runs the start-up checks, and listens. */
export async function startSyncServer(options: StartSyncServerOptions): Promise<RunningSyncServer> {
  const { loaded, logger } = options;
  const adapters = buildAdapters(loaded, options.wiring);
  let service: SyncService | undefined;
  try {
    const store = await adapters.store();
    service = new SyncService({ ...options.service, adapters, store, logger });
    const http = buildHttpServer({
      api: service,
      logger: logger.child({ component: 'http' }),
      ...(loaded.config.okta.eventHook ? { hookSecret: loaded.config.okta.eventHook.secret } : {}),
      ...(loaded.config.server.apiToken ? { apiToken: loaded.config.server.apiToken } : {}),
      ...(options.hookBodyLimit ? { hookBodyLimit: options.hookBodyLimit } : {}),
      entitlements: entitlementServiceFrom(adapters, { actor: 'api' }),
    });
    await service.start();
    const url = await http.listen({
      host: options.host ?? loaded.config.server.host,
      port: options.port ?? loaded.config.server.port,
    });
    logger.info({ url }, 'listening');
    const running = service;
    let closing: Promise<void> | null = null;
    return {
      url,
      service: running,
      store,
      http,
      close(graceMs) {
        closing ??= (async () => {
          await http.close();
          await running.stop(graceMs);
          await adapters.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await service?.stop(0).catch(() => undefined);
    await adapters.close();
    throw error;
  }
}
