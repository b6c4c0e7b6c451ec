import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/core/redact.js';
import { secretValues } from '../../src/services/secrets.js';

describe('secrets', () => {
  it('redacts every occurrence of each secret', () => {
    expect(redactSecrets('a sk-123456789 b sk-123456789', ['sk-123456789'])).toBe('a *** b ***');
  });
  it('ignores short or empty values (they would shred ordinary text)', () => {
    expect(redactSecrets('the cat', ['cat', '', undefined])).toBe('the cat');
  });
  it('collects the token and secret-named environment values', () => {
    const values = secretValues(
      { ANTHROPIC_API_KEY: 'sk-ant-abcdefgh', GH_TOKEN: 'ghp_12345678', PATH: '/usr/bin:/bin/x', HOME: '/root/home' },
      ['ghs_token123'],
    );
    expect(values.sort()).toEqual(['ghp_12345678', 'ghs_token123', 'sk-ant-abcdefgh']);
  });
});
