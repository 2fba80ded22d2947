// The official `openai` npm client against fulcrum serve, routed to each upstream dialect:
// plain and streaming chat, tool calls, typed errors, abort mid-stream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startGateway, MODELS, KEYS } from './harness.mjs';

let gw;
let client;
before(async () => {
  gw = await startGateway();
  // The client's own key is never forwarded: Fulcrum uses the keys of its config.
  client = new OpenAI({ apiKey: 'client-key-not-forwarded', baseURL: `${gw.url}/v1`, maxRetries: 0 });
});
after(async () => {
  if (gw) await gw.stop();
});

const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

const expectedText = {
  [MODELS.openai]: ['Hello! How can I assist you today?', 'Hello there!'],
  [MODELS.anthropic]: ['Hi! My name is Claude.', 'Hello!'],
  [MODELS.gemini]: ['Hello from Gemini.', 'Hello from Gemini.'],
};

for (const [model, [whole, streamed]] of Object.entries(expectedText)) {
  test(`chat completion via ${model}`, async () => {
    const { data: r, response } = await client.chat.completions
      .create({ model, max_tokens: 1024, messages: [{ role: 'user', content: 'Hello' }] })
      .withResponse();
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.choices.length, 1);
    assert.equal(r.choices[0].message.role, 'assistant');
    assert.equal(r.choices[0].message.content, whole);
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.ok(r.usage.prompt_tokens > 0 && r.usage.completion_tokens > 0);
    assert.match(response.headers.get('x-fulcrum-route'), /target=\w+\/[\w-]+; rule=\w+; privacy=public/);
  });

  test(`streaming chat via ${model}`, async () => {
    const stream = await client.chat.completions.create({
      model, max_tokens: 1024, stream: true, stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'Hello' }],
    });
    let text = '';
    let finish = null;
    let usage = null;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'chat.completion.chunk');
      if (chunk.usage) usage = chunk.usage;
      for (const c of chunk.choices) {
        text += c.delta.content ?? '';
        finish = c.finish_reason ?? finish;
      }
    }
    assert.equal(text, streamed);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.completion_tokens > 0, 'include_usage yields a usage chunk');
  });
}

const toolModels = {
  [MODELS.openaiTools]: { id: 'call_abc123', args: { location: 'Boston, MA' } },
  [MODELS.anthropicTools]: { id: 'toolu_01A09q90qw90lq917835lq9', args: { location: 'San Francisco, CA' } },
  [MODELS.geminiTools]: { id: null, args: { location: 'Paris' } },
};

for (const [model, want] of Object.entries(toolModels)) {
  test(`tool call via ${model}`, async () => {
    const r = await client.chat.completions.create({
      model, max_tokens: 1024, tools: [weatherTool], tool_choice: 'auto',
      messages: [{ role: 'user', content: 'What is the weather?' }],
    });
    const calls = r.choices[0].message.tool_calls;
    assert.equal(calls.length, 1);
    assert.equal(calls[0].type, 'function');
    assert.equal(calls[0].function.name, 'get_weather');
    if (want.id) assert.equal(calls[0].id, want.id);
    else assert.ok(calls[0].id.length > 0);
    assert.deepEqual(JSON.parse(calls[0].function.arguments), want.args);
    assert.equal(r.choices[0].finish_reason, 'tool_calls');
  });

  test(`streamed tool call via ${model} (runner helper)`, async () => {
    const runner = client.chat.completions.stream({
      model, max_tokens: 1024, tools: [weatherTool],
      messages: [{ role: 'user', content: 'What is the weather?' }],
    });
    const final = await runner.finalChatCompletion();
    const calls = final.choices[0].message.tool_calls;
    assert.equal(calls.length, 1);
    assert.equal(calls[0].function.name, 'get_weather');
    assert.deepEqual(JSON.parse(calls[0].function.arguments), want.args);
  });
}

test('tool result round trip is accepted and forwarded', async () => {
  await gw.resetUpstream();
  const r = await client.chat.completions.create({
    model: MODELS.anthropic, max_tokens: 1024, tools: [weatherTool],
    messages: [
      { role: 'user', content: 'What is the weather in Boston?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Boston"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: '{"temp_f": 51}' },
    ],
  });
  assert.equal(r.choices[0].message.content, 'Hi! My name is Claude.');
  const sent = JSON.parse((await gw.upstreamRequests()).at(-1).body);
  // The Anthropic upstream got the tool result as a tool_result block in a user turn.
  const last = sent.messages.at(-1);
  assert.equal(last.role, 'user');
  assert.equal(last.content[0].type, 'tool_result');
  assert.equal(last.content[0].tool_use_id, 'call_1');
});

test('unknown model is a NotFoundError', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof OpenAI.NotFoundError && e.status === 404 && /no-such-model/.test(e.message));
});

test('a bad field is a BadRequestError naming it', async () => {
  await assert.rejects(
    client.chat.completions.create({ model: MODELS.openai, temperature: 7, messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof OpenAI.BadRequestError && e.status === 400 && e.param === 'temperature' &&
      /temperature/.test(e.message));
});

test('upstream 429 is a RateLimitError with Retry-After', async () => {
  await gw.fault({ kind: 'http_error', status: 429, retry_after: '7', times: 1 });
  await assert.rejects(
    client.chat.completions.create({ model: MODELS.openai, messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof OpenAI.RateLimitError && e.status === 429 && e.headers.get('retry-after') === '7');
});

test('upstream 500 is an InternalServerError-class APIError with status 502', async () => {
  await gw.fault({ kind: 'http_error', status: 500, times: 1 });
  await assert.rejects(
    client.chat.completions.create({ model: MODELS.openai, messages: [{ role: 'user', content: 'x' }] }),
    (e) => e instanceof OpenAI.InternalServerError && e.status === 502);
});

test('abort mid-stream', async () => {
  const controller = new AbortController();
  const stream = await client.chat.completions.create(
    { model: MODELS.openaiSlow, stream: true, messages: [{ role: 'user', content: 'count' }] },
    { signal: controller.signal });
  let text = '';
  let error = null;
  try {
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (text.includes(' 3')) controller.abort();
    }
  } catch (e) {
    error = e;
  }
  // The SDK ends the iteration on abort (or raises its abort error); either way it stops early.
  assert.ok(error === null || error instanceof OpenAI.APIUserAbortError || error.name === 'AbortError', String(error));
  assert.ok(controller.signal.aborted);
  assert.ok(text.startsWith('Counting slowly: 1 2 3'), text);
  assert.ok(!text.includes(' 40'), 'the stream stopped early');
  // The gateway saw the client go away (status 499 in its request log) and still serves.
  let entry;
  for (let i = 0; i < 100 && !entry; i++) {
    entry = gw.requestLog().find((e) => e.event === 'request' && e.model === MODELS.openaiSlow);
    if (!entry) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(entry, 'request log line for the aborted stream');
  assert.equal(entry.status, 499);
  const r = await client.chat.completions.create({ model: MODELS.openai, messages: [{ role: 'user', content: 'Hello' }] });
  assert.equal(r.choices[0].message.content, 'Hello! How can I assist you today?');
});

test('models list has the virtual models', async () => {
  const ids = [];
  for await (const m of client.models.list()) ids.push(m.id);
  for (const m of Object.values(MODELS)) assert.ok(ids.includes(m), m);
  const one = await client.models.retrieve(MODELS.openai);
  assert.equal(one.id, MODELS.openai);
});

for (const model of [MODELS.embed, MODELS.embedGemini]) {
  test(`embeddings via ${model} (the SDK asks for base64 by default)`, async () => {
    const r = await client.embeddings.create({ model, input: ['hello', 'world'] });
    assert.equal(r.object, 'list');
    assert.equal(r.data.length, 2);
    assert.equal(r.data[0].index, 0);
    assert.equal(r.data[1].index, 1);
    assert.equal(r.data[0].embedding.length, 3);
    const want = model === MODELS.embed ? [0.5, 0.25, -0.125] : [-0.1, -0.2, -0.3];
    r.data[1].embedding.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-6, `${v} vs ${want[i]}`));
  });
}

test('embeddings of an unknown model are a NotFoundError', async () => {
  await assert.rejects(client.embeddings.create({ model: 'no-such-embedder', input: ['hello'] }),
    (e) => e instanceof OpenAI.NotFoundError);
});

test('no provider key in the log', () => {
  const log = gw.log();
  for (const k of KEYS) assert.ok(!log.includes(k), `${k} leaked into the log`);
});
