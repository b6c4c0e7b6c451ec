// Applies label changes: creates missing catalog labels on first use (Forgejo silently ignores unknown
// names), adds before it removes so an interruption never leaves an item without state.
import { applyLabelChange, hasLabel, type LabelChange, type LabelNames, labelCatalog } from '../core/labels.js';
import type { Forge } from '../forge/forge.js';

export class LabelWriter {
  private known: Promise<Set<string>> | undefined;

  constructor(
    private readonly forge: Forge,
    private readonly names: LabelNames,
    /** Called between the requests of a write that takes more than one (a named step: core/steps.ts). */
    private readonly midway: () => void = () => {},
  ) {}

  /** Create the catalog labels among `names` that the repository does not have yet. */
  async ensure(names: string[]): Promise<void> {
    this.known ??= this.forge.listRepoLabels().then((ls) => new Set(ls.map((l) => l.name.toLowerCase())));
    const known = await this.known;
    const catalog = labelCatalog(this.names);
    for (const name of names) {
      if (known.has(name.toLowerCase())) continue;
      const spec = catalog.find((c) => c.name.toLowerCase() === name.toLowerCase());
      await this.forge.createLabel(
        spec ? { name: spec.name, color: spec.color, description: spec.description } : { name, color: 'ededed', description: '' },
      );
      known.add(name.toLowerCase());
    }
  }

  /** Apply a change to an item whose current labels are `current`; returns the labels after. */
  async apply(number: number, current: readonly string[], change: LabelChange): Promise<string[]> {
    const add = change.add.filter((l) => !hasLabel(current, l));
    const remove = change.remove.filter((l) => hasLabel(current, l) && !hasLabel(change.add, l));
    const requests = (add.length ? 1 : 0) + remove.length;
    let done = 0;
    const sent = () => {
      if (++done === 1 && requests > 1) this.midway();
    };
    if (add.length) {
      await this.ensure(add);
      await this.forge.addLabels(number, add);
      sent();
    }
    for (const label of remove) {
      await this.forge.removeLabel(number, label);
      sent();
    }
    return applyLabelChange(current, { add, remove });
  }
}
