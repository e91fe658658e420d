import assert from 'node:assert/strict';

export type Conf = Map<string, Map<string, string>>;

/** A .conf reader written for the test: stanzas, `key = value`, `\` continuations, comments. */
export function parseConf(text: string): Conf {
  const conf: Conf = new Map();
  let stanza = new Map<string, string>();
  conf.set('', stanza);
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1)}\n${lines[++i]}`;
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const head = /^\[(.*)\]$/.exec(line);
    if (head) {
      stanza = new Map();
      conf.set(head[1]!, stanza);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(eq > 0, `not a key = value line: ${line}`);
    stanza.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim());
  }
  return conf;
}
