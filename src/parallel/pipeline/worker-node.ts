// The worker thread of one pipeline stage (GPipe, Huang et al., 2019), Node: runs rank.ts on the
// init message the coordinator (pipeline.ts) posts.

import { serveTeachingRank } from '../tensor/teaching-node.js';
import { runPipelineRank } from './rank.js';

serveTeachingRank(runPipelineRank);
