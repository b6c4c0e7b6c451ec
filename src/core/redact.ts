// Redact known secret values from text that agentloop is about to publish (agent output, logs).
const MIN_SECRET_LENGTH = 8;

export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < MIN_SECRET_LENGTH) continue;
    out = out.split(secret).join('***');
  }
  return out;
}
