// The action's heavy path, loaded by index.ts only when the event can mean work.
import './zod-jitless.js';
import { readActionsEnv } from '../run/actions-env.js';
import { actionsIO } from '../run/actions-io.js';
import { main } from '../run/main.js';

export function runAction(): Promise<void> {
  return main(readActionsEnv(process.env), process.env, actionsIO(process.env));
}
