// Refusals settled while the code lane reads items (DESIGN §8): a trigger label applied by someone who
// may not start work comes off right after its item is read, with one comment. The item then drops out of
// this run's picture and out of every later run's reads, so a flood of refused labels costs each item
// once and never starves the request budget of the work that is allowed.

import { codeLaneRefusals } from '../core/decide/code.js';
import type { DecideConfig } from '../core/decide/index.js';
import { keyOfLabel } from '../core/labels.js';
import type { Settle } from '../services/code-snapshot.js';
import type { RunContext } from '../services/context.js';
import type { LoadedItem } from '../services/item-loader.js';
import { refuse } from '../transitions/refuse.js';
import type { TransitionResult } from '../transitions/result.js';

/** A Settle that refuses what the item alone shows refused; each refusal's result goes to `settled`. */
export function refusalSettler(rc: RunContext, cfg: DecideConfig, settled: TransitionResult[]): Settle {
  return async (item) => {
    let current = item;
    for (const t of codeLaneRefusals(current.snapshot, cfg, rc.now().toISOString())) {
      if (!rc.budget.allows(`refusing ${t.label} on #${t.item}`)) break;
      const result = await refuse(rc, t, current);
      rc.log.info(`#${t.item}: ${result.message}`);
      settled.push(result);
      current = withoutLabel(rc, current, t.label, result.labelsAfter ?? current.data.labels);
    }
    return current;
  };
}

/** The item as it is after a trigger label came off. */
function withoutLabel(rc: RunContext, item: LoadedItem, label: string, labels: string[]): LoadedItem {
  const key = keyOfLabel(rc.config.labelNames, label);
  const triggers = Object.fromEntries(Object.entries(item.snapshot.triggers).filter(([k]) => k !== key));
  return {
    ...item,
    data: { ...item.data, labels },
    snapshot: { ...item.snapshot, labels, triggers, loop: item.status.state },
  };
}

/** What the settled refusals amount to, for the summary of a run that did nothing else. */
export function settledResult(settled: readonly TransitionResult[]): TransitionResult | undefined {
  if (settled.length === 0) return undefined;
  if (settled.length === 1) return settled[0];
  const items = settled.map((r) => `#${r.item}`);
  return { outcome: 'skipped', message: `refused and removed ${settled.length} trigger labels (${items.join(', ')})` };
}
