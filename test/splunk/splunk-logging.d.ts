// Types for splunk-logging 0.11 (Splunk's HEC client, used here as the wire-format cross-check and the benchmark
// baseline); the package ships none and @types/splunk-logging is not a dependency.
declare module 'splunk-logging' {
  export interface Config {
    token: string;
    url?: string;
    host?: string;
    port?: number;
    protocol?: string;
    path?: string;
    level?: string;
    maxRetries?: number;
    batchInterval?: number;
    maxBatchSize?: number;
    maxBatchCount?: number;
  }
  export interface Metadata {
    time?: number;
    host?: string;
    source?: string;
    sourcetype?: string;
    index?: string;
  }
  export interface Context {
    message: unknown;
    severity?: string;
    metadata?: Metadata;
  }
  export type Callback = (err: Error | null, resp: unknown, body: unknown) => void;
  export class Logger {
    constructor(config: Config);
    requestOptions: Record<string, unknown>;
    eventFormatter: (message: unknown, severity: string) => unknown;
    error: (err: Error, context: unknown) => void;
    send(context: Context, callback?: Callback): void;
    flush(callback?: Callback): void;
  }
}
