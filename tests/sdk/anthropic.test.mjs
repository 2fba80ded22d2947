// The official `@anthropic-ai/sdk` npm client against fulcrum serve, routed to each upstream
// dialect: plain and streaming messages, tool use and tool results, token counting, typed
// errors, abort mid-stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Anthropic from '@anthropic-ai/sdk';
import { startGateway, MODELS, KEYS } from './harness.mjs';

let gw;
let client;
before(async () => {
  gw = await startGateway();
  client = new Anthropic({ apiKey: 'client-key-not-forwarded', baseURL: gw.url, maxRetries: 0 });
});
after(async () => {
  if (gw) await gw.stop();
});

const weatherTool = {
  name: 'get_weather',
  description: 'Get the current weather',
  input_schema: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
};

const expectedText = {
  [MODELS.anthropic]: ['Hi! My name is Claude.', 'Hello!'],
  [MODELS.openai]: ['Hello! How can I assist you today?', 'Hello there!'],
  [MODELS.gemini]: ['Hello from Gemini.', 'Hello from Gemini.'],
};

for (const [model, [whole, streamed]] of Object.entries(expectedText)) {
  test(`message via ${model}`, async () => {
    const { data: m, response } = await client.messages
      .create({ model, max_tokens: 1024, system: 'Be brief.', messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    assert.equal(m.type, 'message');
    assert.equal(m.role, 'assistant');
    assert.equal(m.content.length, 1);
    assert.equal(m.content[0].type, 'text');
    assert.equal(m.content[0].text, whole);
    assert.equal(m.stop_reason, 'end_turn');
    assert.ok(m.usage.input_tokens > 0 && m.usage.output_tokens > 0);
    assert.ok(response.headers.get('x-fulcrum-route').includes('privacy=public'));
  });

  test(`streaming message via ${model} (MessageStream helper)`, async () => {
    const stream = client.messages.stream({
      model, max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }],
    });
    let text = '';
    stream.on('text', (t) => { text += t; });
    const final = await stream.finalMessage();
    assert.equal(text, streamed);
    assert.equal(final.content[0].text, streamed);
    assert.equal(final.stop_reason, 'end_turn');
    assert.ok(final.usage.output_tokens > 0);
  });

  test(`raw stream events via ${model}`, async () => {
    const stream = await client.messages.create({
      model, max_tokens: 1024, stream: true, messages: [{ role: 'user', content: 'Hello' }],
    });
    const types = [];
    for await (const ev of stream) types.push(ev.type);
    assert.equal(types[0], 'message_start');
    assert.equal(types.at(-1), 'message_stop');
    assert.equal(types.at(-2), 'message_delta');
    assert.ok(types.includes('content_block_start') && types.includes('content_block_delta') &&
      types.includes('content_block_stop'));
  });
}

const toolModels = {
  [MODELS.anthropicTools]: { id: 'toolu_01A09q90qw90lq917835lq9', input: { location: 'San Francisco, CA' } },
  [MODELS.openaiTools]: { id: 'call_abc123', input: { location: 'Boston, MA' } },
  [MODELS.geminiTools]: { id: null, input: { location: 'Paris' } },
};

for (const [model, want] of Object.entries(toolModels)) {
  test(`tool use via ${model}`, async () => {
    const m = await client.messages.create({
      model, max_tokens: 1024, tools: [weatherTool], tool_choice: { type: 'auto' },
      messages: [{ role: 'user', content: 'What is the weather?' }],
    });
    const uses = m.content.filter((b) => b.type === 'tool_use');
    assert.equal(uses.length, 1);
    assert.equal(uses[0].name, 'get_weather');
    if (want.id) assert.equal(uses[0].id, want.id);
    else assert.ok(uses[0].id.length > 0);
    assert.deepEqual(uses[0].input, want.input);
    assert.equal(m.stop_reason, 'tool_use');
  });

  test(`streamed tool use via ${model}`, async () => {
    const final = await client.messages.stream({
      model, max_tokens: 1024, tools: [weatherTool],
      messages: [{ role: 'user', content: 'What is the weather?' }],
    }).finalMessage();
    const uses = final.content.filter((b) => b.type === 'tool_use');
    assert.equal(uses.length, 1);
    assert.equal(uses[0].name, 'get_weather');
    assert.deepEqual(uses[0].input, want.input);
    assert.equal(final.stop_reason, 'tool_use');
  });
}

test('tool result round trip reaches an OpenAI upstream as a tool message', async () => {
  await gw.resetUpstream();
  const m = await client.messages.create({
    model: MODELS.openai, max_tokens: 1024, tools: [weatherTool],
    messages: [
      { role: 'user', content: 'What is the weather in Boston?' },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { location: 'Boston' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '51F and sunny' }] },
    ],
  });
  assert.equal(m.content[0].text, 'Hello! How can I assist you today?');
  const sent = JSON.parse((await gw.upstreamRequests()).at(-1).body);
  const asst = sent.messages.at(-2);
  assert.equal(asst.role, 'assistant');
  assert.equal(asst.tool_calls[0].id, 'toolu_1');
  assert.deepEqual(JSON.parse(asst.tool_calls[0].function.arguments), { location: 'Boston' });
  const tool = sent.messages.at(-1);
  assert.equal(tool.role, 'tool');
  assert.equal(tool.tool_call_id, 'toolu_1');
});

test('count_tokens', async () => {
  const r = await client.messages.countTokens({
    model: MODELS.anthropic, messages: [{ role: 'user', content: 'Hello, how many tokens is this?' }],
  });
  assert.ok(Number.isInteger(r.input_tokens) && r.input_tokens > 0);
});

test('unknown model is a NotFoundError', async () => {
  await assert.rejects(
    client.messages.create({ model: 'no-such-model', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof Anthropic.NotFoundError && e.status === 404 && e.error?.type === 'error' &&
      e.error?.error?.type === 'not_found_error');
});

test('a bad field is a BadRequestError naming it', async () => {
  await assert.rejects(
    client.messages.create({ model: MODELS.anthropic, max_tokens: 10, temperature: 3, messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof Anthropic.BadRequestError && e.status === 400 && /temperature/.test(e.message) &&
      e.error?.error?.type === 'invalid_request_error');
});

test('upstream 429 is a RateLimitError with Retry-After', async () => {
  await gw.fault({ kind: 'http_error', status: 429, retry_after: '9', times: 1 });
  await assert.rejects(
    client.messages.create({ model: MODELS.anthropic, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof Anthropic.RateLimitError && e.status === 429 &&
      e.error?.error?.type === 'rate_limit_error' && e.headers.get('retry-after') === '9');
});

test('an upstream that drops the connection is a typed 503 APIError', async () => {
  // Twice: libcurl silently retries once when a reused keep-alive connection dies.
  await gw.fault({ kind: 'close_before_headers', times: 2 });
  try {
    await assert.rejects(
      client.messages.create({ model: MODELS.anthropic, max_tokens: 10, messages: [{ role: 'user', content: 'x' }] }),
      (e) => e instanceof Anthropic.InternalServerError && e.status === 503 &&
        e.error?.error?.type === 'overloaded_error');
  } finally {
    await gw.resetUpstream();
  }
});

test('abort mid-stream', async () => {
  const stream = client.messages.stream({
    model: MODELS.anthropicSlow, max_tokens: 1024, messages: [{ role: 'user', content: 'count' }],
  });
  let text = '';
  stream.on('text', (t) => {
    text += t;
    if (text.includes(' 3')) stream.abort();
  });
  await assert.rejects(stream.finalMessage(), (e) => e instanceof Anthropic.APIUserAbortError);
  assert.ok(text.startsWith('Counting slowly: 1 2 3'), text);
  assert.ok(!text.includes(' 40'));
  let entry;
  for (let i = 0; i < 100 && !entry; i++) {
    entry = gw.requestLog().find((e) => e.event === 'request' && e.model === MODELS.anthropicSlow);
    if (!entry) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(entry, 'request log line for the aborted stream');
  assert.equal(entry.status, 499);
  const m = await client.messages.create({ model: MODELS.anthropic, max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }] });
  assert.equal(m.content[0].text, 'Hi! My name is Claude.');
});

test('no provider key in the log', () => {
  const log = gw.log();
  for (const k of KEYS) assert.ok(!log.includes(k), `${k} leaked into the log`);
});
