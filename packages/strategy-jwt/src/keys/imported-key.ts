// The ring stores these and the import module produces them: a file of their own lets both use them
// without importing each other.
import type { KeyObject } from 'node:crypto';
import type { AsymmetricAlgorithm } from './signing-key-pair.ts';

/** One parsed key ready to be stored as verify-only (see `KeyRing#addVerificationKeys`). */
export interface ImportedKey {
  /** The public half. */
  publicKey: KeyObject;
  /** Its public JWK members. */
  publicJwk: Readonly<Record<string, string>>;
  /** The one algorithm it verifies. */
  alg: AsymmetricAlgorithm;
  /** The source's kid, or the thumbprint when the source had none. */
  kid: string;
  /** RFC 7638 thumbprint; the record id is `import:<thumbprint>`. */
  thumbprint: string;
}

/** What an import did. */
export interface KeyImportResult {
  /** Kids of the keys stored now. */
  imported: string[];
  /** Kids of keys the store already held. */
  existing: string[];
}
