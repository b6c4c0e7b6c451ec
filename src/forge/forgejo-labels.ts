// Labels on Forgejo: adding an unknown name silently does nothing and new issues take label ids, so
// names are resolved to ids here, creating the missing ones (Forgejo requires a color). Names are not
// unique on Forgejo, so two runs can create the same one: creation happens under the caller's
// serialization (a lane's concurrency group), re-reads the list afterwards, and always picks the lowest
// id of a name so every run uses the same label.
import type { LabelData } from '../core/model.js';
import type { NewLabel } from './forge.js';
import type { ForgejoClient } from './forgejo-http.js';

interface ForgejoLabel {
  id: number;
  name: string;
  color?: string;
  description?: string;
}

/** The color of a label agentloop creates only because an item needed it. */
export const DEFAULT_LABEL_COLOR = 'ededed';

export class LabelIds {
  private cache: LabelData[] | undefined;

  constructor(
    private readonly client: ForgejoClient,
    private readonly repoPath: string,
  ) {}

  async list(): Promise<LabelData[]> {
    const items = await this.client.paginate<ForgejoLabel>(`${this.repoPath}/labels`);
    this.cache = items.map((l) => ({
      id: l.id,
      name: l.name,
      // Forgejo answers `#ededed`; GitHub's model (and agentloop's label table) has no '#'.
      color: (l.color ?? '').replace(/^#/, ''),
      description: l.description ?? '',
    }));
    return this.cache;
  }

  /** The repository's labels, as this run last read them (read now if not yet). */
  async known(): Promise<LabelData[]> {
    return this.cache ?? (await this.list());
  }

  /** The lowest id with this name (exact first, then case-insensitive), from the cached list. */
  private find(labels: LabelData[], name: string): LabelData | undefined {
    const byId = (a: LabelData, b: LabelData) => a.id - b.id;
    const exact = labels.filter((l) => l.name === name).sort(byId);
    if (exact.length) return exact[0];
    return labels.filter((l) => l.name.toLowerCase() === name.toLowerCase()).sort(byId)[0];
  }

  /** Create a label unless one of that name exists. */
  async create(label: NewLabel): Promise<void> {
    const labels = this.cache ?? (await this.list());
    if (this.find(labels, label.name)) return;
    await this.client.request('POST', `${this.repoPath}/labels`, {
      body: { name: label.name, color: `#${label.color.replace(/^#/, '')}`, description: label.description },
    });
    this.cache = undefined;
  }

  /** Ids for these names, creating any that do not exist yet. */
  async ids(names: string[]): Promise<number[]> {
    let labels = this.cache ?? (await this.list());
    const missing = names.filter((n) => !this.find(labels, n));
    if (missing.length) {
      for (const name of missing) await this.create({ name, color: DEFAULT_LABEL_COLOR, description: '' });
      // Re-read: another run may have created the same name meanwhile; the lowest id wins everywhere.
      labels = await this.list();
    }
    return names.map((n) => {
      const found = this.find(labels, n);
      if (!found) throw new Error(`Forgejo did not create the label "${n}"`);
      return found.id;
    });
  }
}
