import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { NpsRecord } from '@npswatch/core';
import { renderWinlogbeat, syntheticDay } from '@npswatch/core/testing';

const DAY = 86_400_000;

/**
 * One document as Winlogbeat 8 ships it: the renderer's core fields plus the envelope every real document
 * carries (agent, ecs, host details, event.created, process, provider GUID, and the message repeated in
 * `winlog.event_data.param1`), following the reconstructed samples in packages/core/samples/reference.
 */
export function shipped(r: NpsRecord, i: number): string {
  const doc = JSON.parse(renderWinlogbeat(r)) as Record<string, Record<string, unknown>>;
  const short = (r.host ?? 'NPS01').split('.')[0]!;
  doc.agent = {
    type: 'winlogbeat',
    version: '8.15.0',
    name: short,
    hostname: short,
    id: '5d0f3b9e-2c1a-4a43-9b3f-7f1c2d3e4a5b',
    ephemeral_id: 'a1b2c3d4-e5f6-4711-8899-aabbccddeeff',
  };
  doc.ecs = { version: '8.0.0' };
  doc.event = { ...doc.event, created: new Date(r.time + 300 + (i % 700)).toISOString() };
  doc.host = { ...doc.host, hostname: short, os: { family: 'windows', platform: 'windows', type: 'windows' } };
  doc.winlog = {
    ...doc.winlog,
    event_data: r.fields ?? { param1: r.message ?? '' },
    opcode: 'Info',
    process: { pid: 2148, thread: { id: 3372 } },
    provider_guid: '{00000000-0000-0000-0000-000000000000}',
  };
  return JSON.stringify(doc);
}

/**
 * A Winlogbeat NDJSON corpus of `lines` documents, cycling through synthetic days (so the mix of codes and
 * message shapes is the demo's), cached on disk between runs.
 */
export async function winlogbeatCorpus(path: string, lines: number): Promise<{ path: string; bytes: number }> {
  if (existsSync(path)) return { path, bytes: statSync(path).size };
  await mkdir(dirname(path), { recursive: true });
  const day = syntheticDay({ perHour: 40 });
  const out = createWriteStream(`${path}.tmp`);
  let buffer = '';
  for (let i = 0; i < lines; i++) {
    const base = day[i % day.length]!;
    const shift = Math.floor(i / day.length) * DAY;
    buffer += `${shipped({ ...base, time: base.time + shift, recordId: i + 1 }, i)}\n`;
    if (buffer.length > 1 << 20) {
      if (!out.write(buffer)) await new Promise<void>((r) => out.once('drain', () => r()));
      buffer = '';
    }
  }
  out.write(buffer);
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  renameSync(`${path}.tmp`, path);
  return { path, bytes: statSync(path).size };
}
