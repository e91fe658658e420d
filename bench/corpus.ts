import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { renderWinlogbeat, syntheticDay } from '@npswatch/core/testing';

const DAY = 86_400_000;

/**
 * A Winlogbeat NDJSON corpus of `lines` documents, cycling through synthetic days (so the mix of codes and
 * message shapes is the demo's), cached on disk between runs.
 */
export async function winlogbeatCorpus(path: string, lines: number): Promise<{ path: string; bytes: number }> {
  if (existsSync(path)) return { path, bytes: statSync(path).size };
  await mkdir(dirname(path), { recursive: true });
  const day = syntheticDay({ perHour: 40 }).filter((r) => r.channel !== 'Security' || r.fields !== undefined);
  const out = createWriteStream(`${path}.tmp`);
  let buffer = '';
  for (let i = 0; i < lines; i++) {
    const base = day[i % day.length]!;
    const shift = Math.floor(i / day.length) * DAY;
    buffer += `${renderWinlogbeat({ ...base, time: base.time + shift, recordId: i + 1 })}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise((r) => out.once('drain', r));
      buffer = '';
    }
  }
  out.write(buffer);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  renameSync(`${path}.tmp`, path);
  return { path, bytes: statSync(path).size };
}
