// The one status comment per item (DESIGN §9): found among trusted authors' comments, edited in place.
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
   * Trusted authors only: a stranger's comment that copies the marker must not steer agentloop's state.
   * `trusted` decides per author (agentloop itself, allow-listed bots, writers).
   */
  static async load(
    forge: Forge,
    number: number,
    comments: readonly CommentData[],
    trusted: (author: Actor) => Promise<boolean>,
    runUrl?: string,
  ): Promise<StatusWriter> {
    const candidates: CommentData[] = [];
    for (const c of comments) if (c.body.includes('agentloop:status') && (await trusted(c.author))) candidates.push(c);
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
