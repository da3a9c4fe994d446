import { describeShardSpread } from './shard-spread.js'

// One Redis: the relay reads its shards' outboxes with one blocking read.
describeShardSpread('two worker sets on one Redis, over 8 shards', () => ({}))
