// The worker thread of one tensor-parallel rank (Megatron-LM, Shoeybi et al., 2019), Node: runs
// rank.ts on the init message the coordinator (tensor-parallel.ts) posts.

import { serveTeachingRank } from './teaching-node.js';
import { runTensorRank } from './rank.js';

serveTeachingRank(runTensorRank);
