/** Pieces the plain-text reports of `doctor` and `summary` share, in both languages. */
import { formatInZone, type Lang } from '@npswatch/core';

/** The line under the title: how much was read. */
/** `1 event`, `2 events`, `0 events`. */
export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export const READ_COUNTS: Readonly<Record<Lang, (events: number, files: number, rejected: number) => string>> = {
  en: (events, files, rejected) =>
    `${plural(events, 'event')} from ${plural(files, 'input')}, ${plural(rejected, 'record')} rejected`,
  ko: (events, files, rejected) => `입력 ${files}개에서 이벤트 ${events}개, 거부된 레코드 ${rejected}개`,
};

/** First to last time seen, in the report's zone. */
export const timeSpan = (first: number, last: number, tz: string): string =>
  `${formatInZone(first, tz)} — ${formatInZone(last, tz)}`;
