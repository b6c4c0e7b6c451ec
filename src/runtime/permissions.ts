// Collaborator permission lookups, once per login per run. A failed lookup is 'unknown' (fail closed).
import type { Permission } from '../core/model.js';
import type { Forge } from '../forge/forge.js';
import type { Logger } from './logger.js';

export class Permissions {
  private readonly cache = new Map<string, Promise<Permission | 'unknown'>>();

  constructor(
    private readonly forge: Forge,
    private readonly log: Logger,
  ) {}

  of(login: string): Promise<Permission | 'unknown'> {
    const key = login.toLowerCase();
    let hit = this.cache.get(key);
    if (!hit) {
      hit = this.forge.getPermission(login).catch((err: unknown) => {
        this.log.warning(`Could not read @${login}'s permission: ${(err as Error).message}`);
        return 'unknown' as const;
      });
      this.cache.set(key, hit);
    }
    return hit;
  }

  async isWriter(login: string): Promise<boolean> {
    const p = await this.of(login);
    return p === 'admin' || p === 'maintain' || p === 'write';
  }
}
