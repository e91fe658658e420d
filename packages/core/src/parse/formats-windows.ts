import type { FormatDefinition } from '../record/types.js';
import { GET_WINEVENT_LIST_FORMAT } from './get-winevent-list.js';
import { SPLUNK_WINEVENTLOG_FORMAT } from './splunk-wineventlog.js';
import { WEVTUTIL_TEXT_FORMAT } from './wevtutil-text.js';
import { WINLOGBEAT_FORMAT } from './winlogbeat.js';
import { SPLUNK_XMLWINEVENTLOG_FORMAT, WINDOWS_XML_FORMAT } from './xml-event.js';

/**
 * The Windows event formats in sniff-priority order. Splunk XmlWinEventLog comes before raw event XML because
 * its lines also carry the events namespace; the rest have disjoint first lines.
 */
export const WINDOWS_FORMATS: readonly FormatDefinition[] = [
  WINLOGBEAT_FORMAT,
  SPLUNK_XMLWINEVENTLOG_FORMAT,
  WINDOWS_XML_FORMAT,
  SPLUNK_WINEVENTLOG_FORMAT,
  WEVTUTIL_TEXT_FORMAT,
  GET_WINEVENT_LIST_FORMAT,
];
