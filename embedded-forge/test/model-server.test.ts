// The scripted model server itself: which turn answers, what is recorded, and how it fails.
import { afterEach, describe, expect, it } from 'vitest';
import { anthropicDialect, geminiDialect, type ModelScript, ModelServer, openaiResponsesDialect } from '../src/model/index.js';

let server: ModelServer;
afterEach(async () => server.stop());

const script: ModelScript = {
  conversations: [
    { match: '^You are planning', turns: [{ text: 'the plan' }] },
    { turns: [{ actions: [{ read: 'a.js' }] }, { fail: { status: 500, times: 1 }, text: 'after the retry' }, { fail: 'malformed' }] },
  ],
};

async function messages(body: Record<string, unknown>) {
  const res = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, text: await res.text() };
}
const tools = [{ name: 'Read' }, { name: 'Write' }];
const user = (text: string) => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = { role: 'assistant', content: [{ type: 'text', text: '…' }] };

describe('ModelServer (Anthropic dialect)', () => {
  it('chooses the conversation by the first user text and the turn by the model turns already in it', async () => {
    server = new ModelServer({ dialects: [anthropicDialect, openaiResponsesDialect, geminiDialect], script });
    await server.start();
    const plan = await messages({ messages: [user('You are planning the work')], tools, stream: false });
    expect(JSON.parse(plan.text).content).toEqual([{ type: 'text', text: 'the plan' }]);
    const read = await messages({
      system: 'Primary working directory: /work/x',
      messages: [user('You are implementing it')],
      tools,
      stream: false,
    });
    expect(JSON.parse(read.text).content).toEqual([
      { type: 'tool_use', id: expect.any(String), name: 'Read', input: { file_path: '/work/x/a.js' } },
    ]);
    // Turn 1 fails once (a retry gets past it), then answers; turn 2 is a stream cut in the middle.
    const second = { messages: [user('You are implementing it'), assistant, user('ok')], tools, stream: false };
    expect((await messages(second)).status).toBe(500);
    expect(JSON.parse((await messages(second)).text).content).toEqual([{ type: 'text', text: 'after the retry' }]);
    const broken = await messages({ messages: [user('x'), assistant, user('y'), assistant, user('z')], tools, stream: true });
    expect(broken.status).toBe(200);
    expect(broken.text).toMatch(/^event: message_start\ndata: \{"type":"message_start","message":\n\n$/);
    // A request without tools is a side call; a route no dialect knows is a 404; all are recorded.
    expect(JSON.parse((await messages({ messages: [user('title?')], stream: false })).text).content[0].text).toBe('Done.');
    expect((await fetch(`${server.url}/v1/other`, { method: 'POST' })).status).toBe(404);
    expect(server.calls.map((c) => [c.dialect, c.conversation, c.turn, c.status])).toEqual([
      ['anthropic', 0, 0, 200],
      ['anthropic', 1, 0, 200],
      ['anthropic', 1, 1, 500],
      ['anthropic', 1, 1, 200],
      ['anthropic', 1, 2, 200],
      ['anthropic', -1, 0, 200],
      ['none', -1, -1, 404],
    ]);
  });
});
