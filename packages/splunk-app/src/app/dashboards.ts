import { xmlEscape } from './files.js';

/**
 * Dashboard Studio (version 2) dashboards. Queries use the app's macros; the one free-text input reaches SPL only
 * through the `|s` token filter, which quotes and escapes it, so typing a value cannot change a search.
 */

interface Viz {
  readonly id: string;
  readonly type: string;
  readonly title: string;
  readonly query: string;
  readonly options?: Readonly<Record<string, unknown>>;
  /** Grid position: x, y, width, height (the grid is 1200 wide). */
  readonly at: readonly [number, number, number, number];
}

export interface Dashboard {
  readonly name: string;
  readonly label: string;
  readonly description: string;
  readonly inputs?: Readonly<Record<string, unknown>>;
  readonly vizzes: readonly Viz[];
}

const TIME_INPUT = {
  input_time: {
    type: 'input.timerange',
    title: 'Time range',
    options: { token: 'global_time', defaultValue: '-24h@h,now' },
  },
};

export function dashboardDefinition(d: Dashboard): Record<string, unknown> {
  const visualizations: Record<string, unknown> = {};
  const dataSources: Record<string, unknown> = {};
  for (const v of d.vizzes) {
    visualizations[`viz_${v.id}`] = {
      type: v.type,
      title: v.title,
      dataSources: { primary: `ds_${v.id}` },
      ...(v.options ? { options: v.options } : {}),
    };
    dataSources[`ds_${v.id}`] = { type: 'ds.search', name: v.title, options: { query: v.query } };
  }
  const inputs = { ...TIME_INPUT, ...(d.inputs ?? {}) };
  return {
    title: d.label,
    description: d.description,
    inputs,
    defaults: {
      dataSources: {
        'ds.search': {
          options: { queryParameters: { earliest: '$global_time.earliest$', latest: '$global_time.latest$' } },
        },
      },
    },
    visualizations,
    dataSources,
    layout: {
      type: 'grid',
      globalInputs: Object.keys(inputs),
      structure: d.vizzes.map((v) => ({
        item: `viz_${v.id}`,
        type: 'block',
        position: { x: v.at[0], y: v.at[1], w: v.at[2], h: v.at[3] },
      })),
    },
  };
}

/** The view file: `<dashboard version="2">` with the JSON definition in CDATA (which must not contain `]]>`). */
export function dashboardXml(d: Dashboard): string {
  const json = JSON.stringify(dashboardDefinition(d), null, 2);
  if (json.includes(']]>')) throw new RangeError(`${d.name}: the definition must not contain "]]>"`);
  return [
    '<dashboard version="2" theme="dark">',
    `  <label>${xmlEscape(d.label)}</label>`,
    `  <description>${xmlEscape(d.description)}</description>`,
    `  <definition><![CDATA[${json}]]></definition>`,
    '</dashboard>',
    '',
  ].join('\n');
}

const EVENTS = '`npswatch_events`';

export const DASHBOARDS: readonly Dashboard[] = [
  {
    name: 'npswatch_overview',
    label: 'npswatch SOC overview',
    description: 'NPS extension for Microsoft Entra MFA: outcomes, failing codes and users, and npswatch alerts.',
    vizzes: [
      {
        id: 'failures',
        type: 'splunk.singlevalue',
        title: 'MFA failures',
        query: `${EVENTS} | search kind=extension outcome=failure | stats count`,
        at: [0, 0, 300, 150],
      },
      {
        id: 'accepts',
        type: 'splunk.singlevalue',
        title: 'MFA accepts',
        query: `${EVENTS} | search kind=extension outcome=success | stats count`,
        at: [300, 0, 300, 150],
      },
      {
        id: 'users',
        type: 'splunk.singlevalue',
        title: 'Users with failures',
        query: `${EVENTS} | search kind=extension outcome=failure | stats dc(user_key) as users`,
        at: [600, 0, 300, 150],
      },
      {
        id: 'alerts_count',
        type: 'splunk.singlevalue',
        title: 'npswatch alerts',
        query: '`npswatch_alerts` | stats count',
        at: [900, 0, 300, 150],
      },
      {
        id: 'outcomes',
        type: 'splunk.line',
        title: 'Extension events by outcome',
        query: `${EVENTS} | search kind=extension | timechart count by outcome`,
        at: [0, 150, 1200, 300],
      },
      {
        id: 'codes',
        type: 'splunk.table',
        title: 'Top codes',
        query: `${EVENTS} | search kind=extension code=* | stats count by code category severity signature | sort - count | head 20`,
        at: [0, 450, 600, 350],
      },
      {
        id: 'top_users',
        type: 'splunk.table',
        title: 'Users failing most',
        query: `${EVENTS} | search kind=extension outcome=failure | stats count values(code) as codes by user | sort - count | head 20`,
        at: [600, 450, 600, 350],
      },
      {
        id: 'alerts',
        type: 'splunk.table',
        title: 'Recent npswatch alerts',
        query:
          '`npswatch_alerts` | table _time rule_id alert_status severity message | sort - _time | head 50',
        at: [0, 800, 1200, 350],
      },
    ],
  },
  {
    name: 'npswatch_server_health',
    label: 'npswatch NPS server health',
    description: 'Per NPS server: activity, silence, connectivity and configuration errors, support cases.',
    vizzes: [
      {
        id: 'activity',
        type: 'splunk.line',
        title: 'Events per NPS server',
        query: `${EVENTS} | timechart count by dest`,
        at: [0, 0, 1200, 300],
      },
      {
        id: 'last_seen',
        type: 'splunk.table',
        title: 'Last event per server',
        query: `${EVENTS} | stats max(_time) as last_seen count by dest | eval silent_minutes=round((now()-last_seen)/60) | convert ctime(last_seen) | sort - silent_minutes`,
        at: [0, 300, 600, 350],
      },
      {
        id: 'connectivity',
        type: 'splunk.column',
        title: 'Connectivity and token errors',
        query: `${EVENTS} | search code IN ("HTTPS_COMMUNICATION_ERROR", "HTTP_CONNECT_ERROR", "ESTS_TOKEN_ERROR") | timechart count by dest`,
        at: [600, 300, 600, 350],
      },
      {
        id: 'admin',
        type: 'splunk.table',
        title: 'Configuration and support-required codes',
        query: `${EVENTS} | search category="support-required" OR audience="admin" | stats count latest(_time) as latest by dest code signature remediation | convert ctime(latest) | sort - count`,
        at: [0, 650, 1200, 400],
      },
      {
        id: 'by_nas',
        type: 'splunk.table',
        title: 'RADIUS clients (NAS): volume, failures, users',
        query: `${EVENTS} | search nas=* | stats count sum(eval(if(outcome="failure", 1, 0))) as failures dc(user_key) as users latest(_time) as latest by nas client_ip | convert ctime(latest) | sort - failures | head 50`,
        at: [0, 1050, 600, 400],
      },
      {
        id: 'by_policy',
        type: 'splunk.table',
        title: 'Network policies: volume, failures, users',
        query: `${EVENTS} | search network_policy=* | stats count sum(eval(if(outcome="failure", 1, 0))) as failures dc(user_key) as users by network_policy | sort - failures | head 50`,
        at: [600, 1050, 600, 400],
      },
    ],
  },
  {
    name: 'npswatch_remediation',
    label: 'npswatch user remediation',
    description: 'What went wrong for one user, why, and what to do: for help desks.',
    inputs: {
      input_user: {
        type: 'input.text',
        title: 'User (UPN or account name)',
        options: { token: 'user', defaultValue: '' },
      },
    },
    vizzes: [
      {
        id: 'user_events',
        type: 'splunk.table',
        title: 'Recent MFA events of the user',
        query: `${EVENTS} | search kind=extension | where user_key=lower($user|s$) | table _time dest code outcome signature reason remediation doc_url | sort - _time | head 100`,
        at: [0, 0, 1200, 450],
      },
      {
        id: 'user_codes',
        type: 'splunk.table',
        title: 'Codes seen for the user, with remediation',
        query: `${EVENTS} | search kind=extension | where user_key=lower($user|s$) | stats count latest(_time) as latest by code signature audience remediation | convert ctime(latest) | sort - count`,
        at: [0, 450, 1200, 400],
      },
    ],
  },
];
