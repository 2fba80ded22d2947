// Starts the stand-in upstream (fulcrum_standin, with the fixtures of tests/standin/fixtures)
// and `fulcrum serve` in front of it on free loopback ports, for the SDK conformance tests.
// Both are stopped by stop(), and killed when this process exits for any reason.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

const children = new Set();
process.on('exit', () => {
  for (const c of children) c.kill('SIGKILL');
});

function need(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (run the tests through tests/sdk/run.sh / ctest)`);
  return v;
}

// Spawns `cmd args` and resolves with the first stdout line matching `re` (its match).
function startAndWaitFor(cmd, args, re, logPath) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let log = '';
    child.stderr.on('data', (d) => {
      log += d;
      if (logPath) writeFileSync(logPath, log);
    });
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start in time: ${log}`)), 60000);
    child.on('exit', (code) => {
      children.delete(child);
      clearTimeout(timer);
      reject(new Error(`${cmd} exited with ${code} at start-up: ${log}`));
    });
    createInterface({ input: child.stdout }).on('line', (line) => {
      const m = line.match(re);
      if (m) {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        child.on('exit', () => children.delete(child));
        resolve({ child, match: m, log: () => log });
      }
    });
  });
}

export const KEYS = ['test-openai-key', 'test-anthropic-key', 'test-gemini-key'];

// Virtual models of the config: every SDK is run against every upstream dialect.
export const MODELS = {
  openai: 'gpt',
  openaiTools: 'gpt-tools',
  openaiSlow: 'gpt-slow',
  anthropic: 'claude',
  anthropicTools: 'claude-tools',
  anthropicSlow: 'claude-slow',
  gemini: 'gemini',
  geminiTools: 'gemini-tools',
  embed: 'embed',
  embedGemini: 'embed-gemini',
};

export async function startGateway() {
  const fulcrum = need('FULCRUM_BIN');
  const standinBin = need('FULCRUM_STANDIN_BIN');
  const dir = mkdtempSync(join(tmpdir(), 'fulcrum-sdk-'));
  const standin = await startAndWaitFor(standinBin, [], /^(\d+)$/);
  const up = `http://127.0.0.1:${standin.match[1]}`;
  const provider = (name, kind, prefix, key) =>
    `[providers.${name}]\nkind = "${kind}"\nbase_url = "${up}${prefix}"\n` +
    `api_key = "${key}"\nmax_retries = 0\n\n`;
  const model = (name, provider, upstream) =>
    `[models.${name}]\ntargets = [{ provider = "${provider}", model = "${upstream}" }]\n\n`;
  const config =
    '[server]\nport = 0\n\n' +
    provider('openai', 'openai_compat', '/v1', KEYS[0]) +
    provider('anthropic', 'anthropic', '/v1', KEYS[1]) +
    provider('gemini', 'gemini', '/v1beta', KEYS[2]) +
    model(MODELS.openai, 'openai', 'gpt-test') +
    model(MODELS.openaiTools, 'openai', 'gpt-test-tools') +
    model(MODELS.openaiSlow, 'openai', 'gpt-test-slow') +
    model(MODELS.anthropic, 'anthropic', 'claude-test') +
    model(MODELS.anthropicTools, 'anthropic', 'claude-test-tools') +
    model(MODELS.anthropicSlow, 'anthropic', 'claude-test-slow') +
    model(MODELS.gemini, 'gemini', 'gemini-test') +
    model(MODELS.geminiTools, 'gemini', 'gemini-test-tools') +
    model(MODELS.embed, 'openai', 'embed-test') +
    model(MODELS.embedGemini, 'gemini', 'embed-test');
  const configPath = join(dir, 'fulcrum.toml');
  writeFileSync(configPath, config);
  const logPath = join(dir, 'serve.log');
  const serve = await startAndWaitFor(fulcrum, ['serve', '--config', configPath],
                                      /listening on http:\/\/127\.0\.0\.1:(\d+)/, logPath);
  const port = Number(serve.match[1]);
  return {
    url: `http://127.0.0.1:${port}`,
    upstream: up,
    // Queues a fault at the stand-in for the next `times` upstream requests.
    async fault(f) {
      const r = await fetch(`${up}/_standin/fault`, { method: 'POST', body: JSON.stringify(f) });
      if (!r.ok) throw new Error(`standin fault: ${r.status}`);
    },
    async upstreamRequests() {
      return (await fetch(`${up}/_standin/requests`)).json();
    },
    async resetUpstream() {
      await fetch(`${up}/_standin/reset`, { method: 'POST', body: '{}' });
    },
    log: () => serve.log(),
    // Structured request-log lines ("event": "request") written so far.
    requestLog() {
      return serve.log().split('\n').filter((l) => l.startsWith('{"event"'))
        .map((l) => JSON.parse(l));
    },
    async stop() {
      for (const c of [serve.child, standin.child]) {
        if (c.exitCode !== null) continue;
        const exited = new Promise((r) => c.once('exit', r));
        c.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
