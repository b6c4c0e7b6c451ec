// RunIO for GitHub/Forgejo Actions via @actions/core: warnings become annotations, agent output a
// collapsed group, outputs go to GITHUB_OUTPUT and the summary to GITHUB_STEP_SUMMARY.
import { appendFileSync } from 'node:fs';
import * as core from '@actions/core';
import type { Logger } from '../core/logger.js';
import type { RunIO } from './main.js';

export const actionsLogger: Logger = {
  info: (m) => core.info(m),
  warning: (m) => core.warning(m),
  error: (m) => core.error(m),
  group: (name, fn) => core.group(name, fn),
};

export function actionsIO(processEnv: NodeJS.ProcessEnv): RunIO {
  return {
    log: actionsLogger,
    debug: (m) => core.debug(m),
    setSecret: (v) => core.setSecret(v),
    setOutput: (name, value) => core.setOutput(name, value),
    setFailed: (m) => core.setFailed(m),
    summary: (markdown) => {
      if (processEnv.GITHUB_STEP_SUMMARY) appendFileSync(processEnv.GITHUB_STEP_SUMMARY, markdown);
    },
  };
}
