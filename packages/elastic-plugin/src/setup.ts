import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import { VERSION } from '@npswatch/core';
import { type ElasticConnection, type ServerInfo, serverInfo } from './client.js';
import { errorReason, statusOf, toElasticError } from './errors.js';
import { ALERTS_INDEX, DEAD_LETTER_INDEX, EVENTS_DATA_STREAM } from './ids.js';
import {
  adaptMappings,
  alertMappings,
  deadLetterMappings,
  eventMappings,
  type MappingCapabilities,
  type Mappings,
} from './templates.js';

export type EventsAs = 'indices' | 'data-stream';

export interface SetupOptions {
  /**
   * `indices` (default): one index per event day, so `_id` deduplication holds for every replay, forever.
   * `data-stream`: also a data stream template for `dataStream`; `_id` deduplication then holds only within one
   * backing index (a rollover starts a new one). Both templates coexist, so switching back and forth is safe
   * (Elasticsearch refuses a template change that would orphan an existing data stream).
   */
  readonly events?: EventsAs;
  /** Name of the events data stream (default `npswatch-events-default`). */
  readonly dataStream?: string;
  /** `index.number_of_shards` (default 1). */
  readonly shards?: number;
  /** `index.number_of_replicas` (default: the server's, 1). */
  readonly replicas?: number;
  /** An existing ILM policy for event indices; used only where the server has ILM (module `x-pack-ilm`). */
  readonly lifecyclePolicy?: string;
  /** Scrubbed from error texts (ElasticConnection passes its own). */
  readonly secrets?: readonly string[];
}

export type ResourceKind = 'component_template' | 'index_template' | 'index';

export interface SetupAction {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly action: 'created' | 'updated' | 'unchanged';
}

export interface SetupResult {
  readonly server: ServerInfo;
  readonly events: EventsAs;
  readonly capabilities: MappingCapabilities & { readonly ilm: boolean };
  readonly actions: readonly SetupAction[];
  /** What setup could not do on this server, and what to do instead. */
  readonly notes: readonly string[];
}

/** Names of everything setup manages. */
export const RESOURCES = {
  settings: 'npswatch-settings',
  eventMappings: 'npswatch-events-mappings',
  alertMappings: 'npswatch-alerts-mappings',
  deadLetterMappings: 'npswatch-deadletter-mappings',
  eventsTemplate: 'npswatch-events',
  eventsStreamTemplate: 'npswatch-events-stream',
  alertsTemplate: 'npswatch-alerts',
  deadLetterTemplate: 'npswatch-deadletter',
} as const;

/** Above the built-in `logs-*-*` (100) and below user overrides (usually 500+); our patterns do not overlap anyway. */
const PRIORITY = 200;

export interface Resource {
  readonly kind: ResourceKind;
  readonly name: string;
  readonly path: string;
  readonly body: Record<string, unknown>;
}

/** What setup would PUT for a server: pure, so the export command and tests can show it without a server. */
export function setupResources(
  server: ServerInfo,
  options: SetupOptions = {},
): { resources: Resource[]; notes: string[] } {
  const caps = capabilitiesOf(server);
  const notes: string[] = [];
  const settings: Record<string, unknown> = { 'index.number_of_shards': options.shards ?? 1 };
  if (options.replicas !== undefined) settings['index.number_of_replicas'] = options.replicas;
  const eventSettings: Record<string, unknown> = {};
  if (options.lifecyclePolicy !== undefined) {
    if (caps.ilm) eventSettings['index.lifecycle.name'] = options.lifecyclePolicy;
    else
      notes.push(
        `this server has no ILM (module x-pack-ilm): lifecycle policy "${options.lifecyclePolicy}" not applied; ` +
          'delete old daily indices instead (docs/elastic.md, "Lifecycle")',
      );
  } else if (!caps.ilm) {
    notes.push('no ILM on this server: retention is by deleting old npswatch-events-YYYY.MM.DD indices');
  }
  if (!caps.matchOnlyText) notes.push('no match_only_text (module mapper-extras): message fields mapped as text');
  const events = options.events ?? 'indices';
  const component = (name: string, mappings: Mappings | undefined, extra: Record<string, unknown> = {}): Resource => ({
    kind: 'component_template',
    name,
    path: `/_component_template/${name}`,
    body: {
      template: {
        ...(Object.keys(extra).length ? { settings: extra } : {}),
        ...(mappings ? { mappings: adaptMappings(mappings, caps) } : {}),
      },
    },
  });
  const template = (name: string, patterns: string[], composedOf: string[], dataStream = false): Resource => ({
    kind: 'index_template',
    name,
    path: `/_index_template/${name}`,
    body: {
      index_patterns: patterns,
      composed_of: composedOf,
      // The stream's exact name also matches npswatch-events-*: it wins by priority.
      priority: dataStream ? PRIORITY + 50 : PRIORITY,
      ...(dataStream ? { data_stream: {} } : {}),
    },
  });
  const resources: Resource[] = [
    component(RESOURCES.settings, undefined, settings),
    component(RESOURCES.eventMappings, eventMappings(), eventSettings),
    component(RESOURCES.alertMappings, alertMappings()),
    component(RESOURCES.deadLetterMappings, deadLetterMappings()),
    template(RESOURCES.eventsTemplate, ['npswatch-events-*'], [RESOURCES.settings, RESOURCES.eventMappings]),
    ...(events === 'data-stream'
      ? [
          template(
            RESOURCES.eventsStreamTemplate,
            [options.dataStream ?? EVENTS_DATA_STREAM],
            [RESOURCES.settings, RESOURCES.eventMappings],
            true,
          ),
        ]
      : []),
    template(
      RESOURCES.alertsTemplate,
      [ALERTS_INDEX, `${ALERTS_INDEX}-*`],
      [RESOURCES.settings, RESOURCES.alertMappings],
    ),
    template(
      RESOURCES.deadLetterTemplate,
      [DEAD_LETTER_INDEX, `${DEAD_LETTER_INDEX}-*`],
      [RESOURCES.settings, RESOURCES.deadLetterMappings],
    ),
    { kind: 'index', name: ALERTS_INDEX, path: `/${ALERTS_INDEX}`, body: {} },
  ];
  return { resources, notes };
}

export function capabilitiesOf(server: ServerInfo): MappingCapabilities & { readonly ilm: boolean } {
  const has = (m: string) => server.modules.includes(m);
  return { matchOnlyText: has('mapper-extras'), flattened: has('x-pack-core'), ilm: has('x-pack-ilm') };
}

const hashOf = (body: unknown) => createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);

/** The `_meta` npswatch stamps on templates: who manages them, which version, and a hash of the content. */
function meta(body: unknown): Record<string, string> {
  return { managed_by: 'npswatch', npswatch_version: VERSION, hash: hashOf(body) };
}

type Existing = { readonly _meta?: { readonly hash?: unknown } } | undefined;

async function existing(client: Client, r: Resource): Promise<Existing | null> {
  try {
    const body = await client.transport.request<Record<string, unknown>>({ method: 'GET', path: r.path });
    if (r.kind === 'component_template') {
      const list = body.component_templates as { component_template?: Existing }[] | undefined;
      return list?.[0]?.component_template ?? null;
    }
    if (r.kind === 'index_template') {
      const list = body.index_templates as { index_template?: Existing }[] | undefined;
      return list?.[0]?.index_template ?? null;
    }
    return {};
  } catch (err) {
    if (statusOf(err) === 404) return null;
    throw err;
  }
}

/**
 * Creates or updates npswatch's component and index templates and the alerts index. Idempotent: a resource
 * whose content hash (in `_meta`) matches is left alone; a second run reports everything `unchanged`.
 * Version-aware: mapping types and settings the server lacks are replaced or left out, with a note.
 */
export async function setup(target: Client | ElasticConnection, options: SetupOptions = {}): Promise<SetupResult> {
  const client = 'client' in target ? target.client : target;
  const secrets = [...(options.secrets ?? []), ...('secrets' in target ? target.secrets : [])];
  const server = 'server' in target ? target.server : await serverInfo(client, secrets);
  const { resources, notes } = setupResources(server, options);
  const actions: SetupAction[] = [];
  for (const r of resources) {
    try {
      const current = await existing(client, r);
      if (r.kind === 'index') {
        if (current === null) {
          try {
            await client.transport.request({ method: 'PUT', path: r.path, body: r.body });
            actions.push({ kind: r.kind, name: r.name, action: 'created' });
            continue;
          } catch (err) {
            // Created concurrently (another setup, or an alert written in between): that is the goal.
            const body = (err as { meta?: { body?: unknown } }).meta?.body;
            if (errorReason(body).type !== 'resource_already_exists_exception') throw err;
          }
        }
        actions.push({ kind: r.kind, name: r.name, action: 'unchanged' });
        continue;
      }
      const body = { ...r.body, _meta: meta(r.body) };
      if (current && current._meta?.hash === body._meta.hash) {
        actions.push({ kind: r.kind, name: r.name, action: 'unchanged' });
        continue;
      }
      await client.transport.request({ method: 'PUT', path: r.path, body });
      actions.push({ kind: r.kind, name: r.name, action: current ? 'updated' : 'created' });
    } catch (err) {
      throw toElasticError(err, `setup ${r.kind.replace('_', ' ')} ${r.name}`, secrets);
    }
  }
  return { server, events: options.events ?? 'indices', capabilities: capabilitiesOf(server), actions, notes };
}
