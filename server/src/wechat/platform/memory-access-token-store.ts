import type { AccessTokenStore, StoredAccessToken } from './access-token-manager';

/**
 * An `AccessTokenStore` in this process's memory: right for tests and for a single instance.
 * Several managers given the same store behave like several server instances sharing a database.
 */
export class InMemoryAccessTokenStore implements AccessTokenStore {
  readonly #tokens = new Map<string, StoredAccessToken>();
  readonly #locks = new Map<string, Promise<void>>();

  read(appId: string): Promise<StoredAccessToken | undefined> {
    const stored = this.#tokens.get(appId);
    return Promise.resolve(stored === undefined ? undefined : { ...stored });
  }

  write(appId: string, token: string, expiresAt: number): Promise<void> {
    this.#tokens.set(appId, { token, expiresAt });
    return Promise.resolve();
  }

  /** Queues `work` behind the holders before it, one at a time per app. */
  async withRefreshLock<T>(appId: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#locks.get(appId) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => mine);
    this.#locks.set(appId, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      if (this.#locks.get(appId) === tail) this.#locks.delete(appId);
    }
  }
}
