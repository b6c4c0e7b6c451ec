// The one status comment per item (DESIGN §9): found among agentloop's own comments, edited in place.
import type { CommentData } from '../core/model.js';
import { findStatusComment, type LoopState, parseState, renderStatusComment, type StatusView } from '../core/status-comment.js';
import type { Actor } from '../core/trust.js';
import type { Forge } from '../forge/forge.js';

export class StatusWriter {
  private commentId: number | undefined;

  private constructor(
    private readonly forge: Forge,
    readonly number: number,
    public state: LoopState,
    comment: CommentData | undefined,
    private readonly runUrl: string | undefined,
  ) {
    this.commentId = comment?.id;
  }

  /**
   * agentloop's own comments only: anybody else's comment that carries the marker — a stranger's or a
   * writer's — neither steers agentloop's state nor is edited by it. `own` answers per author
   * (core/trust.ts: exactly the login agentloop's token acts as).
   */
  static load(
    forge: Forge,
    number: number,
    comments: readonly CommentData[],
    own: (author: Actor) => boolean,
    runUrl?: string,
  ): StatusWriter {
    const candidates = comments.filter((c) => c.body.includes('agentloop:status') && own(c.author));
    const found = findStatusComment(candidates);
    return new StatusWriter(forge, number, parseState(found?.body), found, runUrl);
  }

  get exists(): boolean {
    return this.commentId !== undefined;
  }

  /** `view.runUrl` defaults to this run's link. */
  async write(view: StatusView, state: LoopState = this.state): Promise<void> {
    this.state = state;
    const body = renderStatusComment({ ...(this.runUrl ? { runUrl: this.runUrl } : {}), ...view }, state);
    if (this.commentId === undefined) this.commentId = (await this.forge.createComment(this.number, body)).id;
    else await this.forge.updateComment(this.commentId, body);
  }
}
