// Routing: which agent, model and prompt appendix an issue gets, from its labels (DESIGN §5, §6).
// `routes:` in the repository file is a list; the first route naming ANY of the issue's labels wins
// (labels compared case-insensitively, ignoring surrounding spaces). What the route leaves out comes from
// the top-level settings (inputs, then the file, then defaults), with one exception: a route that
// switches to another agent does not inherit the default `model` and `agent-args`, which belong to the
// default agent's CLI (a Claude model name means nothing to codex); that agent then uses its own default
// model unless the route names one. `agent-command` is inherited (it only matters for agent command).
// Pure: no I/O.
import type { AgentName, Config } from './config.js';

export interface RoutedAgent {
  agent: AgentName;
  agentCommand: string;
  agentArgs: string[];
  model: string;
  /** Text to add to the end of the prompt; '' when none. */
  appendix: string;
  /** Zero-based index of the matching route in `routes`; absent when no route matched. */
  route?: number;
}

export type RoutingConfig = Pick<Config, 'agent' | 'agentCommand' | 'agentArgs' | 'model' | 'routes'>;

const norm = (label: string): string => label.trim().toLowerCase();

export function routeFor(config: RoutingConfig, issueLabels: readonly string[]): RoutedAgent {
  const defaults: RoutedAgent = {
    agent: config.agent,
    agentCommand: config.agentCommand,
    agentArgs: [...config.agentArgs],
    model: config.model,
    appendix: '',
  };
  const labels = new Set(issueLabels.map(norm));
  const index = config.routes.findIndex((r) => r.labels.some((l) => labels.has(norm(l))));
  const route = config.routes[index];
  if (route === undefined) return defaults;

  const switchesAgent = route.agent !== undefined && route.agent !== config.agent;
  return {
    agent: route.agent ?? config.agent,
    agentCommand: route.agentCommand ?? config.agentCommand,
    agentArgs: [...(route.agentArgs ?? (switchesAgent ? [] : config.agentArgs))],
    model: route.model ?? (switchesAgent ? '' : config.model),
    appendix: route.appendix ?? '',
    route: index,
  };
}
