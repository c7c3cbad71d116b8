import Keyv from 'keyv';
import { runKeyStoreConformance } from './key-store-conformance.ts';
import { keyvKeyStore } from './keyv-key-store.ts';

// One Keyv per namespace, so two handles on a namespace share data as two connections would.
const shared = new Map<string, Keyv>();
runKeyStoreConformance({
  name: 'keyv in-memory',
  open: (namespace) => {
    if (!shared.has(namespace)) shared.set(namespace, new Keyv({ namespace }));
    return keyvKeyStore({ keyv: shared.get(namespace)!, namespace });
  },
});
