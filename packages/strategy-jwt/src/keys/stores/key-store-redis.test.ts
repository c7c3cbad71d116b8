import { runKeyStoreConformance } from './key-store-conformance.ts';
import { redisKeyStore } from './redis-key-store.ts';

// Real Redis (fails, never skips, when it is down); every test uses a random namespace.
runKeyStoreConformance({
  name: 'redis',
  open: (namespace) => redisKeyStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', namespace }),
});
