export { createKafkaSink } from './kafka-sink';
export type { KafkaSink, KafkaSinkOptions, KafkaSinkStats } from './kafka-sink';
export { startKafkaConsumer } from './kafka-consumer';
export type { ConsumedBatch, InsertConsumedBatch, KafkaConsumer, KafkaConsumerObserver, KafkaConsumerOptions, PartitionLag } from './kafka-consumer';
export { createConsumerMetrics } from './consumer-metrics';
export type { ConsumerMetrics } from './consumer-metrics';
export { batchToken, decodePending, encodePending } from './pending-range';
export type { OffsetRange } from './pending-range';
