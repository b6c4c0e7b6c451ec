// The one status comment per item (DESIGN §9): found among agentloop's own comments, edited in place.
import type { CommentData } from '../core/model.js';
import {
  emptyState,
  findStatusComment,
  type LoopState,
  readState,
  renderStatusComment,
  replaceState,
  STATE_VERSION,
  type StatusView,
} from '../core/status-comment.js';
import type { Actor } from '../core/trust.js';
import type { Forge } from '../forge/forge.js';

export class StatusWriter {
  private commentId: number | undefined;
  private body: string | undefined;
  private htmlUrl: string | undefined;
  /** The state as this run found it (escalations are numbered from it). */
  readonly loaded: LoopState;

  private constructor(
    private readonly forge: Forge,
    readonly number: number,
    public state: LoopState,
    comment: CommentData | undefined,
    private readonly runUrl: string | undefined,
    /** The version of a state a newer agentloop wrote: this one neither reads nor overwrites it. */
    readonly newer?: number,
  ) {
    this.commentId = comment?.id;
    this.body = comment?.body;
    this.htmlUrl = comment?.htmlUrl || undefined;
    this.loaded = state;
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
    const read = readState(found?.body);
    if (read.kind === 'newer') return new StatusWriter(forge, number, emptyState(), found, runUrl, read.version);
    return new StatusWriter(forge, number, read.state, found, runUrl);
  }

  get exists(): boolean {
    return this.commentId !== undefined;
  }

  /** The status comment's page, once it exists (and the forge said where). */
  get url(): string | undefined {
    return this.htmlUrl;
  }

  /** `view.runUrl` defaults to this run's link. */
  async write(view: StatusView, state: LoopState = this.state): Promise<void> {
    this.refuseNewer();
    this.state = state;
    const body = renderStatusComment({ ...(this.runUrl ? { runUrl: this.runUrl } : {}), ...view }, state);
    await this.put(body);
  }

  /** Record `state` and keep the visible text as it is (a status comment must exist; else it is created with `view`). */
  async record(state: LoopState, view: StatusView): Promise<void> {
    if (this.body === undefined) return this.write(view, state);
    this.refuseNewer();
    this.state = state;
    await this.put(replaceState(this.body, state));
  }

  private async put(body: string): Promise<void> {
    if (this.commentId === undefined) {
      const created = await this.forge.createComment(this.number, body);
      this.commentId = created.id;
      this.htmlUrl = created.htmlUrl || undefined;
    } else await this.forge.updateComment(this.commentId, body);
    this.body = body;
  }

  /** Never overwrite a state a newer agentloop wrote: it could not be read, so it cannot be carried on. */
  private refuseNewer(): void {
    if (this.newer !== undefined)
      throw new Error(
        `#${this.number}: its status comment holds state version ${this.newer}, newer than this agentloop's (${STATE_VERSION}); agentloop leaves it alone`,
      );
  }
}
