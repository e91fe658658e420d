import { createTelemetry, type FormatId, type Lang, toEcs } from '@npswatch/core';
import { EXIT } from '../errors.js';
import { classifiedBatches, createRejectLog, inputNames } from '../inputs.js';
import { type Io, write } from '../io.js';

export interface ClassifyOptions {
  readonly format: FormatId | 'auto';
  readonly tz: string;
  readonly deadLetter?: string;
  readonly lang: Lang;
  readonly explain: boolean;
  readonly timestampField?: string;
}

/** `npswatch classify [files… | -]`: one ECS JSON document per event on stdout. */
export async function runClassify(inputs: readonly string[], options: ClassifyOptions, io: Io): Promise<number> {
  const rejects = createRejectLog(io, options.deadLetter);
  let events = 0;
  try {
    for await (const batch of classifiedBatches(
      inputNames(inputs, io),
      {
        format: options.format,
        timeZone: options.tz,
        telemetry: createTelemetry(),
        timestampField: options.timestampField,
      },
      io,
      rejects,
    )) {
      let out = '';
      for (const e of batch)
        out += `${JSON.stringify(toEcs(e, { explain: options.explain ? options.lang : false }))}\n`;
      events += batch.length;
      await write(io.stdout, out);
    }
  } finally {
    await rejects.close();
  }
  await write(io.stderr, `npswatch: ${events} events classified, ${rejects.count} records rejected\n`);
  return rejects.count > 0 ? EXIT.rejected : EXIT.ok;
}
