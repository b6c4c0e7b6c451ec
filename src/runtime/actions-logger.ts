// The Actions log via @actions/core: warnings become annotations, agent output a collapsed group.
import * as core from '@actions/core';
import type { Logger } from './logger.js';

export const actionsLogger: Logger = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  error: (m) => core.error(m),
  group: (name, fn) => core.group(name, fn),
};
