// Applies the core trust rule (core/trust.ts) with the forge's answers: collaborator permissions are
// looked up once per login per run; a failed lookup is 'unknown', and unknown is never trusted.

import type { Logger } from '../core/logger.js';
import type { Permission } from '../core/model.js';
import {
  type Actor,
  isSelf,
  needsPermission,
  ownComment,
  type TrustFacts,
  type TrustPurpose,
  type TrustVerdict,
  trust,
} from '../core/trust.js';
import type { Forge } from '../forge/forge.js';

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
}

export class Trust {
  constructor(
    readonly permissions: Permissions,
    readonly facts: TrustFacts,
  ) {}

  async verdict(purpose: TrustPurpose, actor: Actor): Promise<TrustVerdict> {
    const permission = needsPermission(actor, this.facts) ? await this.permissions.of(actor.login) : undefined;
    return trust(purpose, actor, permission, this.facts);
  }

  async trusted(purpose: TrustPurpose, actor: Actor): Promise<boolean> {
    return (await this.verdict(purpose, actor)).ok;
  }

  /** Is this agentloop itself (the login its token acts as)? */
  isSelf(actor: Actor): boolean {
    return isSelf(actor, this.facts);
  }

  /** Is this comment agentloop's own status comment or plan (no permission lookup: identity alone)? */
  ownComment(kind: 'status' | 'plan', author: Actor): boolean {
    return ownComment(kind, author, this.facts);
  }
}
