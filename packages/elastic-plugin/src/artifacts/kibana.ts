import { VERSION } from '@npswatch/core';

/** One saved object as Kibana's export writes it (8.8+ / 9.x). */
export interface SavedObject {
  readonly id: string;
  readonly type: 'index-pattern' | 'search' | 'lens' | 'dashboard';
  readonly attributes: Record<string, unknown>;
  readonly references: readonly { readonly id: string; readonly name: string; readonly type: string }[];
  readonly coreMigrationVersion: string;
  readonly typeMigrationVersion: string;
  readonly managed: false;
}

export const EVENTS_VIEW = 'npswatch-events';
export const ALERTS_VIEW = 'npswatch-alerts';

const MIGRATION: Readonly<Record<SavedObject['type'], string>> = {
  'index-pattern': '8.0.0',
  search: '10.0.0',
  lens: '8.9.0',
  dashboard: '10.2.0',
};

function object(
  type: SavedObject['type'],
  id: string,
  attributes: Record<string, unknown>,
  references: SavedObject['references'] = [],
): SavedObject {
  return {
    id,
    type,
    attributes,
    references,
    coreMigrationVersion: '8.8.0',
    typeMigrationVersion: MIGRATION[type],
    managed: false,
  };
}

function dataView(id: string, title: string, name: string): SavedObject {
  return object('index-pattern', id, {
    title,
    name,
    timeFieldName: '@timestamp',
    allowNoIndex: true,
    fieldFormatMap: '{}',
    runtimeFieldMap: '{}',
    sourceFilters: '[]',
    fields: '[]',
    typeMeta: '{}',
    fieldAttrs: '{}',
  });
}

const searchSource = (query: string) =>
  JSON.stringify({
    query: { query, language: 'kuery' },
    filter: [],
    indexRefName: 'kibanaSavedObjectMeta.searchSourceJSON.index',
  });

function savedSearch(id: string, title: string, description: string, query: string, columns: string[]): SavedObject {
  return object(
    'search',
    id,
    {
      title,
      description,
      columns,
      sort: [['@timestamp', 'desc']],
      grid: {},
      hideChart: false,
      isTextBasedQuery: false,
      kibanaSavedObjectMeta: { searchSourceJSON: searchSource(query) },
    },
    [{ id: EVENTS_VIEW, name: 'kibanaSavedObjectMeta.searchSourceJSON.index', type: 'index-pattern' }],
  );
}

type Column = Record<string, unknown>;
const count = (): Column => ({
  label: 'Count of records',
  dataType: 'number',
  operationType: 'count',
  sourceField: '___records___',
  isBucketed: false,
  scale: 'ratio',
  params: { emptyAsNull: true },
});
const overTime = (): Column => ({
  label: '@timestamp',
  dataType: 'date',
  operationType: 'date_histogram',
  sourceField: '@timestamp',
  isBucketed: true,
  scale: 'interval',
  params: { interval: 'auto', includeEmptyRows: true, dropPartials: false },
});
const topValues = (field: string, size: number, orderBy: string): Column => ({
  label: `Top ${size} values of ${field}`,
  dataType: 'string',
  operationType: 'terms',
  sourceField: field,
  isBucketed: true,
  scale: 'ordinal',
  params: {
    size,
    orderBy: { type: 'column', columnId: orderBy },
    orderDirection: 'desc',
    otherBucket: true,
    missingBucket: false,
  },
});

const uniqueCount = (field: string): Column => ({
  label: `Unique count of ${field}`,
  dataType: 'number',
  operationType: 'unique_count',
  sourceField: field,
  isBucketed: false,
  scale: 'ratio',
  params: { emptyAsNull: true },
});
/** A count of the records matching a KQL query (a Lens column filter). */
const countWhere = (label: string, query: string): Column => ({
  ...count(),
  label,
  filter: { query, language: 'kuery' },
});

/**
 * Per RADIUS client view (issue: per-NAS and per-policy): records carrying `field`, which only Security 6272/6273,
 * NPS accounting and correlated extension events have, with their volume, failures and distinct users.
 */
function radiusTable(id: string, title: string, field: string): SavedObject {
  return eventsTable(
    id,
    title,
    `${field} : *`,
    {
      key: topValues(field, 25, 'n'),
      n: count(),
      failures: countWhere('Failures', 'event.outcome : "failure"'),
      users: uniqueCount('npswatch.user.key'),
    },
    'failures',
  );
}

/** A table of the events matching `query`: one column per entry of `columns`, in order, largest `sortBy` first. */
function eventsTable(
  id: string,
  title: string,
  query: string,
  columns: Record<string, Column>,
  sortBy: string,
): SavedObject {
  return lens(id, title, EVENTS_VIEW, query, columns, 'lnsDatatable', {
    layerId: 'layer1',
    layerType: 'data',
    columns: Object.keys(columns).map((columnId) => ({ columnId })),
    sorting: { columnId: sortBy, direction: 'desc' },
  });
}

/** A Lens visualization on one data view, with one layer (`layer1`). */
function lens(
  id: string,
  title: string,
  view: string,
  query: string,
  columns: Record<string, Column>,
  visualizationType: 'lnsXY' | 'lnsDatatable',
  visualization: Record<string, unknown>,
): SavedObject {
  return object(
    'lens',
    id,
    {
      title,
      description: '',
      visualizationType,
      state: {
        datasourceStates: {
          formBased: {
            layers: { layer1: { columns, columnOrder: Object.keys(columns), incompleteColumns: {} } },
          },
        },
        visualization,
        query: { query, language: 'kuery' },
        filters: [],
        internalReferences: [],
        adHocDataViews: {},
      },
    },
    [{ type: 'index-pattern', id: view, name: 'indexpattern-datasource-layer-layer1' }],
  );
}

function xy(seriesType: string, x: string, y: string, split?: string): Record<string, unknown> {
  return {
    legend: { isVisible: true, position: 'right' },
    valueLabels: 'hide',
    preferredSeriesType: seriesType,
    layers: [
      {
        layerId: 'layer1',
        layerType: 'data',
        seriesType,
        xAccessor: x,
        accessors: [y],
        ...(split ? { splitAccessor: split } : {}),
      },
    ],
  };
}

/** A stacked bar chart of record counts along `x`, one colour per `split` bucket. */
function stackedCounts(
  id: string,
  title: string,
  view: string,
  query: string,
  x: Column,
  split: Column,
  seriesType = 'bar_stacked',
): SavedObject {
  return lens(id, title, view, query, { x, y: count(), split }, 'lnsXY', xy(seriesType, 'x', 'y', 'split'));
}

/** The SOC dashboard's panels: the objects, then where each goes on the grid. */
function panels(): { objects: SavedObject[]; grid: { id: string; type: 'lens' | 'search'; w: number; h: number }[] } {
  const codesOverTime = stackedCounts(
    'npswatch-codes-over-time',
    'npswatch: codes over time by category',
    EVENTS_VIEW,
    'npswatch.kind : "extension"',
    overTime(),
    topValues('npswatch.category', 5, 'y'),
  );
  const errorsByServer = stackedCounts(
    'npswatch-errors-by-server',
    'npswatch: errors by NPS server',
    EVENTS_VIEW,
    'npswatch.category : "error"',
    topValues('host.name', 20, 'y'),
    topValues('npswatch.code', 5, 'y'),
    'bar_horizontal_stacked',
  );
  const repeatedNonErrors = eventsTable(
    'npswatch-users-repeated-non-errors',
    'npswatch: users with repeated non-errors',
    'npswatch.category : "non-error" and npswatch.kind : "extension"',
    { user: topValues('npswatch.user.key', 25, 'n'), code: topValues('npswatch.code', 5, 'n'), n: count() },
    'n',
  );
  const alertTimeline = stackedCounts(
    'npswatch-alert-timeline',
    'npswatch: alert timeline',
    ALERTS_VIEW,
    'kibana.alert.status : "active"',
    overTime(),
    topValues('rule.id', 10, 'y'),
  );
  const supportRequired = savedSearch(
    'npswatch-support-required',
    'npswatch: support required',
    'Responses only Microsoft support can resolve: open a case with these lines',
    'npswatch.category : "support-required"',
    ['host.name', 'npswatch.code', 'user.name', 'npswatch.correlation_id', 'message'],
  );
  const byNas = radiusTable(
    'npswatch-by-nas',
    'npswatch: RADIUS clients (NAS): volume, failures, users',
    'npswatch.radius.nas_identifier',
  );
  const byPolicy = radiusTable(
    'npswatch-by-network-policy',
    'npswatch: network policies: volume, failures, users',
    'npswatch.radius.network_policy',
  );
  return {
    objects: [codesOverTime, errorsByServer, repeatedNonErrors, byNas, byPolicy, supportRequired, alertTimeline],
    grid: [
      { id: codesOverTime.id, type: 'lens', w: 48, h: 14 },
      { id: errorsByServer.id, type: 'lens', w: 24, h: 15 },
      { id: repeatedNonErrors.id, type: 'lens', w: 24, h: 15 },
      { id: byNas.id, type: 'lens', w: 24, h: 15 },
      { id: byPolicy.id, type: 'lens', w: 24, h: 15 },
      { id: supportRequired.id, type: 'search', w: 48, h: 15 },
      { id: alertTimeline.id, type: 'lens', w: 48, h: 12 },
    ],
  };
}

function dashboard(grid: ReturnType<typeof panels>['grid']): SavedObject {
  let y = 0;
  let x = 0;
  let rowHeight = 0;
  const panelsJson: Record<string, unknown>[] = [];
  const references: { id: string; name: string; type: string }[] = [];
  grid.forEach((p, i) => {
    if (x + p.w > 48) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const panelIndex = `p${i + 1}`;
    panelsJson.push({
      type: p.type,
      gridData: { x, y, w: p.w, h: p.h, i: panelIndex },
      panelIndex,
      embeddableConfig: {},
      panelRefName: `panel_${panelIndex}`,
    });
    references.push({ id: p.id, name: `${panelIndex}:panel_${panelIndex}`, type: p.type });
    x += p.w;
    rowHeight = Math.max(rowHeight, p.h);
  });
  return object(
    'dashboard',
    'npswatch-soc',
    {
      title: 'npswatch: NPS extension for Microsoft Entra MFA (SOC)',
      description: `Codes over time, errors by server, repeated non-errors, support cases, alerts. Generated by npswatch ${VERSION}.`,
      panelsJSON: JSON.stringify(panelsJson),
      optionsJSON: JSON.stringify({
        useMargins: true,
        syncColors: false,
        syncCursor: true,
        syncTooltips: false,
        hidePanelTitles: false,
      }),
      timeRestore: true,
      timeFrom: 'now-24h',
      timeTo: 'now',
      refreshInterval: { pause: false, value: 60_000 },
      kibanaSavedObjectMeta: {
        searchSourceJSON: JSON.stringify({ query: { query: '', language: 'kuery' }, filter: [] }),
      },
    },
    references,
  );
}

/**
 * Kibana saved objects for npswatch: data views for events and alerts, saved searches, the SOC dashboard and
 * its Lens panels, in dependency order, as `POST /api/saved_objects/_import` reads them (with the export summary).
 */
export function savedObjects(): SavedObject[] {
  const { objects, grid } = panels();
  return [
    dataView(EVENTS_VIEW, 'npswatch-events-*', 'npswatch events'),
    dataView(ALERTS_VIEW, 'npswatch-alerts*', 'npswatch alerts'),
    savedSearch(
      'npswatch-errors',
      'npswatch: errors',
      'Extension errors with what to do',
      'npswatch.category : "error"',
      ['host.name', 'npswatch.code', 'npswatch.title', 'user.name', 'message'],
    ),
    savedSearch(
      'npswatch-rejections',
      'npswatch: rejected sign-ins',
      'MFA and primary rejections',
      'event.outcome : "failure"',
      ['host.name', 'npswatch.code', 'user.name', 'npswatch.radius.client_ip', 'message'],
    ),
    ...objects,
    dashboard(grid),
  ];
}

/** The NDJSON Kibana imports: one object per line, then the export summary line. */
export function savedObjectsNdjson(objects: readonly SavedObject[] = savedObjects()): string {
  const summary = {
    exportedCount: objects.length,
    missingRefCount: 0,
    missingReferences: [],
    excludedObjectsCount: 0,
    excludedObjects: [],
  };
  return `${[...objects, summary].map((o) => JSON.stringify(o)).join('\n')}\n`;
}
