// Values that must never be published: the forge token and anything in the environment named like a key.
const SECRET_NAME = /TOKEN|SECRET|PASSWORD|PASS|CREDENTIAL|PRIVATE_KEY|AUTH|_KEY$/i;

export function secretValues(env: NodeJS.ProcessEnv, extra: readonly string[] = []): string[] {
  const values = Object.entries(env)
    .filter(([name, value]) => SECRET_NAME.test(name) && value && value.length >= 8)
    .map(([, value]) => value!);
  return [...new Set([...extra.filter(Boolean), ...values])];
}
