// Types of scripts/kafka.mjs, for the TypeScript test suites that import it.
export declare const KAFKA_VERSION: string;
export declare function kafkaCacheDir(): string;
export declare function findJava(): string | undefined;
export declare function fetchKafka(options?: { quiet?: boolean }): string;
export declare function freePort(): Promise<number>;

export interface KafkaBroker {
  readonly id: number;
  readonly port: number;
  readonly pid: number;
  readonly address: string;
  /** SIGKILL, then waits until the process is gone. */
  kill(): Promise<void>;
  /** Starts the same broker again on the same ports and data directory. */
  restart(): Promise<void>;
}

export interface KafkaCluster {
  /** `127.0.0.1:port,…`, for --kafka. */
  readonly bootstrap: string;
  readonly dir: string;
  readonly brokers: KafkaBroker[];
  stop(options?: { keep?: boolean }): Promise<void>;
}

export declare function startKafka(options?: { brokers?: number; dir?: string; java?: string; startTimeoutMs?: number; jit?: 'quick' | 'full' }): Promise<KafkaCluster>;
export declare function stopKafka(dir: string): Promise<void>;
