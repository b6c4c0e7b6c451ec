// `agentloop demo`: the whole loop on the embedded forge, offline.
export async function demo(_argv: string[]): Promise<void> {
  console.log('agentloop demo: the whole loop arrives with the embedded forge.');
}
