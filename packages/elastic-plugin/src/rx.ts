import { Observable, type OperatorFunction } from 'rxjs';
import { ElasticError } from './errors.js';
import type { ElasticSink, ElasticSinkStats, SinkInput } from './sink.js';

export interface IndexIntoOptions {
  /**
   * Items held here while the sink pushes back (default 10 000). rxjs pushes; a source that outruns the server by
   * more than this is an error (`NPSWATCH_ES_OVERFLOW`), never an unbounded buffer. Sources that can be pulled
   * (files, async iterables) should use `sink.consume()`, which waits instead.
   */
  readonly maxPending?: number;
  /** Close the sink when the source completes (default true); otherwise flush it. */
  readonly close?: boolean;
}

/**
 * The sink as the end of an rxjs pipeline: items are written in order, one write at a time, and the final stats
 * are emitted once everything is indexed, dead-lettered or spooled. A source error is passed on after the items
 * already received are written, so none is dropped unreported.
 */
export function indexInto(
  sink: ElasticSink,
  options: IndexIntoOptions = {},
): OperatorFunction<SinkInput, ElasticSinkStats> {
  const maxPending = options.maxPending ?? 10_000;
  const closeAtEnd = options.close ?? true;
  return (source) =>
    new Observable<ElasticSinkStats>((subscriber) => {
      let queue: (SinkInput | undefined)[] = [];
      let head = 0;
      let writing = false;
      let ended = false;
      let stopped = false;
      let sourceError: { readonly error: unknown } | undefined;

      const pump = async (): Promise<void> => {
        if (writing || stopped) return;
        writing = true;
        try {
          while (head < queue.length && !stopped) {
            const item = queue[head]!;
            queue[head++] = undefined;
            // Compact now and then: shift() on every item would be quadratic.
            if (head > 1024 && head * 2 > queue.length) {
              queue = queue.slice(head);
              head = 0;
            }
            await sink.write(item);
          }
          if (ended) {
            stopped = true;
            const stats = closeAtEnd ? await sink.close() : await sink.flush().then(() => sink.stats);
            if (sourceError) subscriber.error(sourceError.error);
            else {
              subscriber.next(stats);
              subscriber.complete();
            }
          }
        } catch (err) {
          stopped = true;
          subscriber.error(err);
        } finally {
          writing = false;
        }
      };

      const subscription = source.subscribe({
        next: (item) => {
          if (stopped || ended) return;
          if (queue.length - head >= maxPending) {
            stopped = true;
            subscriber.error(
              new ElasticError(
                'NPSWATCH_ES_OVERFLOW',
                `more than ${maxPending} items waiting for Elasticsearch: the source does not wait for the sink`,
                {},
                'feed the sink with consume() from a pullable source, or raise maxPending',
              ),
            );
            return;
          }
          queue.push(item);
          void pump();
        },
        error: (error: unknown) => {
          ended = true;
          sourceError = { error };
          void pump();
        },
        complete: () => {
          ended = true;
          void pump();
        },
      });
      return () => subscription.unsubscribe();
    });
}
