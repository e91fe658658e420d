import { gzipSync } from 'node:zlib';

/** A conf value: one line, or several joined with `\` line continuations (long searches). */
export type ConfValue = string | number | boolean | readonly string[];

export interface Stanza {
  readonly name: string;
  /** Comment lines written above the stanza. */
  readonly comment?: readonly string[];
  readonly entries: readonly (readonly [key: string, value: ConfValue])[];
}

function confLine(text: string, where: string): string {
  if (/[\r\n]/.test(text)) throw new RangeError(`${where}: a conf value line must not contain a newline`);
  // A trailing backslash would continue the value onto the next line.
  if (text.endsWith('\\')) throw new RangeError(`${where}: a conf value line must not end with a backslash`);
  return text;
}

/** A .conf file. Values are checked, never silently altered: a bad value is a bug in the generator. */
export function renderConf(header: readonly string[], stanzas: readonly Stanza[]): string {
  const out: string[] = header.map((h) => `# ${h}`.trimEnd());
  for (const stanza of stanzas) {
    if (/[\]\r\n]/.test(stanza.name)) throw new RangeError(`bad stanza name ${JSON.stringify(stanza.name)}`);
    out.push('');
    for (const c of stanza.comment ?? []) out.push(`# ${c}`.trimEnd());
    out.push(`[${stanza.name}]`);
    for (const [key, value] of stanza.entries) {
      if (!/^[\w.:/$<>*-]+$/.test(key)) throw new RangeError(`bad key ${JSON.stringify(key)} in [${stanza.name}]`);
      const where = `[${stanza.name}] ${key}`;
      if (Array.isArray(value)) {
        const lines = (value as readonly string[]).map((l) => confLine(l, where));
        out.push(`${key} = ${lines.join(' \\\n')}`);
      } else out.push(`${key} = ${confLine(String(value), where)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

/** XML text content and attribute values. */
export function xmlEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function header(name: string, size: number, mode: number, type: '0' | '5', mtime: number): Buffer {
  const h = Buffer.alloc(512);
  const field = (text: string, at: number, len: number) => {
    const bytes = Buffer.from(text, 'utf8');
    if (bytes.length > len) throw new RangeError(`tar field too long: ${text}`);
    bytes.copy(h, at);
  };
  const octal = (n: number, at: number, len: number) => field(`${n.toString(8).padStart(len - 1, '0')}\0`, at, len);
  let prefix = '';
  let base = name;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    prefix = name.slice(0, cut);
    base = name.slice(cut + 1);
  }
  field(base, 0, 100);
  octal(mode, 100, 8);
  octal(0, 108, 8);
  octal(0, 116, 8);
  octal(size, 124, 12);
  octal(Math.floor(mtime / 1000), 136, 12);
  h.fill(0x20, 148, 156);
  field(type, 156, 1);
  field('ustar\0', 257, 6);
  field('00', 263, 2);
  field('root', 265, 32);
  field('root', 297, 32);
  field(prefix, 345, 155);
  let sum = 0;
  for (const b of h) sum += b;
  field(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return h;
}

/**
 * A gzipped ustar archive of `files` (relative paths → content), every path under `root/`: one top folder, as
 * Splunk requires. Directories 0755, files 0644, owner root, entries sorted: the same input gives the same bytes.
 */
export function tarGz(root: string, files: ReadonlyMap<string, string | Buffer>, mtime: number): Buffer {
  const dirs = new Set<string>([root]);
  for (const path of files.keys()) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) dirs.add(`${root}/${parts.slice(0, i).join('/')}`);
  }
  const blocks: Buffer[] = [];
  for (const dir of [...dirs].sort()) blocks.push(header(`${dir}/`, 0, 0o755, '5', mtime));
  for (const path of [...files.keys()].sort()) {
    const content = files.get(path)!;
    const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
    blocks.push(header(`${root}/${path}`, data.length, 0o644, '0', mtime), data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad > 0) blocks.push(Buffer.alloc(pad));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks), { level: 9 });
}
