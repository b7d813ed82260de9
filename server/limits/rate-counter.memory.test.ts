import { rateCounterContract } from './rate-counter.contract.ts';
import { memoryRateCounters } from './rate-counter.memory.ts';

rateCounterContract('memory counters', async () => memoryRateCounters);
