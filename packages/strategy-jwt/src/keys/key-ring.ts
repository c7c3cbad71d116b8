import type { KeyObject } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import { NotFound, Unavailable } from '@org/core';
import type {
  ResolvedVerificationKey,
  SigningKey,
  SigningKeySource,
  VerificationKeySource,
} from '../key-source.ts';
import { deriveKeks, type Kek } from './key-encryption-key.ts';
import type { IntegrityFailure } from './key-ring-events.ts';
import { resolveKeyRingSettings, type KeyRingOptions, type KeyRingSettings } from './key-ring-options.ts';
import { isPublished, keyState, type KeyRecord, type KeyRecordFields, type KeyState } from './key-record.ts';
import { nextInChain, slotDates, slotOf } from './key-schedule.ts';
import type { KeyStore, KeyStoreEntry } from './key-store.ts';
import { keyvKeyStore } from './keyv-key-store.ts';
import { openRecord, sealRecord, type OpenResult } from './record-seal.ts';
import { rewrapEntries, type RewrapResult } from './rewrap.ts';
import type { ImportedKey, KeyImportResult } from './ring-key-import.ts';
import { generateSigningKeyPair, type AsymmetricAlgorithm, type PublicKeyJwk } from './signing-key-pair.ts';

/** What `KeyRing#keys()` reports for each key: everything but key material. */
export interface KeyInfo {
  id: string;
  kid: string;
  alg: AsymmetricAlgorithm;
  state: KeyState;
  createdAt: number;
  publishAt: number;
  activateAt: number;
  deactivateAt: number;
  retireAt: number;
  revokedAt?: number;
  kekId: string;
  /** Whether the store still holds the (encrypted) private key. */
  hasPrivateKey: boolean;
}

/** A record this instance read from the store and authenticated. */
interface LoadedKey {
  id: string;
  value: string;
  record: KeyRecord;
  publicKey: KeyObject;
  privateKey?: KeyObject;
}

/** Everything the hot path reads, recomputed when the store or a state changes. */
interface Snapshot {
  validUntil: number | undefined;
  jwks: { keys: JWK[] };
  jwksJson: string;
  byKid: Map<string, ResolvedVerificationKey>;
  signing: SigningKey | undefined;
}

/** The JWK members published for one key: public members plus `kid`, `alg`, `use` only. */
function publishedJwk(publicJwk: PublicKeyJwk, kid: string, alg: string): JWK {
  return Object.freeze({ ...publicJwk, kid, alg, use: 'sig' }) as JWK;
}

const fieldsOf = (r: KeyRecord): KeyRecordFields => ({
  id: r.id,
  kid: r.kid,
  alg: r.alg,
  publicJwk: r.publicJwk,
  createdAt: r.createdAt,
  publishAt: r.publishAt,
  activateAt: r.activateAt,
  deactivateAt: r.deactivateAt,
  retireAt: r.retireAt,
  ...(r.revokedAt !== undefined && { revokedAt: r.revokedAt }),
});

/**
 * A rotating set of asymmetric signing keys shared through a {@link KeyStore}, with a precomputed JWKS.
 *
 * Key states derive from each record's dates and the clock (see {@link KeyState}). Each rotation slot
 * (`floor(now / rotationPeriod)`) has one deterministic record id, created with the store's atomic
 * create-if-absent and read back, so concurrent instances converge on one key; a key signs only after
 * this instance read it back from the store. `resolve` and `getSigningKey` answer from memory.
 * @example
 * ```ts
 * const ring = await KeyRing.open({ store: redisKeyStore({ url }), kek: { secret: process.env.KEK_SECRET! } });
 * const tokens = new TokenService({ keyRing: ring, jwtOptions: { issuer: 'https://api.example' } });
 * app.get('/.well-known/jwks.json', (req, res) => res.json(ring.jwks()));
 * ```
 */
export class KeyRing implements SigningKeySource, VerificationKeySource {
  /** The resolved settings, in milliseconds. */
  readonly settings: KeyRingSettings;
  /** The store this ring reads and writes. */
  readonly store: KeyStore;
  readonly #keks: Kek[];
  readonly #keksById: Map<string, Kek>;
  readonly #now: () => number;
  readonly #onIntegrity: Set<(failure: IntegrityFailure) => void> = new Set();
  readonly #onChange: Set<() => void> = new Set();
  #loaded: LoadedKey[] = [];
  #opened = new Map<string, OpenResult>();
  #loadedByValue = new Map<string, LoadedKey>();
  #publishedJson: string | undefined;
  #reported = new Set<string>();
  #revokedKids = new Set<string>();
  #snapshot: Snapshot | undefined;
  #storeAvailable = false;
  #everLoaded = false;
  #lastGoodSigningKid: string | undefined;
  #refreshing: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #started = false;
  #lastMissRefresh = -Infinity;

  /**
   * Prefer {@link createKeyRing} or {@link KeyRing.open}.
   * @param options - See {@link KeyRingOptions}.
   * @throws BadRequest (`invalid-configuration`) for an invalid option or KEK.
   */
  constructor(options: KeyRingOptions) {
    this.settings = resolveKeyRingSettings(options);
    this.#keks = deriveKeks(options.kek, 'keyRing.kek');
    this.#keksById = new Map(this.#keks.map((k) => [k.id, k]));
    this.store = options.store ?? keyvKeyStore();
    this.#now = options.now ?? Date.now;
    if (options.onIntegrityFailure) this.#onIntegrity.add(options.onIntegrityFailure);
  }

  /**
   * Creates a ring and starts it (first store read, refresh loop).
   * @throws Unavailable (`store-unavailable`) when the store cannot be read.
   */
  static async open(options: KeyRingOptions): Promise<KeyRing> {
    const ring = new KeyRing(options);
    await ring.start();
    return ring;
  }

  /** The id of the KEK that encrypts new records. */
  get kekId(): string {
    return this.#keks[0]!.id;
  }

  /** False after a store read or write failed, until one succeeds again. */
  get storeAvailable(): boolean {
    return this.#storeAvailable;
  }

  /**
   * Reads the store, creates the keys the schedule needs, and starts the refresh loop (an unref'd timer).
   * Idempotent.
   * @throws Unavailable (`store-unavailable`) when the store cannot be read.
   */
  async start(): Promise<void> {
    if (this.#started) return;
    await this.refresh();
    this.#started = true;
    this.#schedule();
  }

  /** Stops the refresh loop and waits for a refresh in flight. The store is not closed. */
  async stop(): Promise<void> {
    this.#started = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#refreshing?.catch(() => undefined);
  }

  /**
   * Re-reads the store and does the maintenance the schedule needs: create the current and the next
   * slot's keys when missing, delete private keys of keys that stopped signing, delete retired records.
   * Concurrent calls share one run. On failure the last good key set stays in use.
   * @throws Unavailable (`store-unavailable`) when the store failed.
   */
  refresh(): Promise<void> {
    return (this.#refreshing ??= this.#refresh().finally(() => {
      this.#refreshing = undefined;
    }));
  }

  /** {@inheritDoc VerificationKeySource.resolve} */
  resolve(header: { alg: string; kid?: string }): ResolvedVerificationKey | undefined {
    if (typeof header.kid !== 'string') return undefined;
    const found = this.#current().byKid.get(header.kid);
    if (found) return found.alg === header.alg ? found : undefined;
    const now = this.#now();
    if (this.#started && now - this.#lastMissRefresh >= this.settings.unknownKidCooldown) {
      // A key another instance just created (revocation, first boot) reaches us on the next read.
      this.#lastMissRefresh = now;
      this.refresh().catch(() => undefined);
    }
    return undefined;
  }

  /**
   * The key to sign with now: among active keys of the ring's algorithm, the earliest activated, then the
   * smallest kid, so every instance picks the same one. Synchronous once the ring has read the store.
   * @throws Unavailable (`store-unavailable`) when the store is down and the key that was active at the
   * last good read has ended; (`unavailable`) when the store holds no usable key (e.g. a wrong KEK).
   */
  getSigningKey(): SigningKey | Promise<SigningKey> {
    if (!this.#everLoaded) return this.refresh().then(() => this.#signingKey());
    return this.#signingKey();
  }

  /** The published JWK Set: public members plus `kid`, `alg` and `use: 'sig'`; precomputed and frozen. */
  jwks(): { keys: JWK[] } {
    return this.#current().jwks;
  }

  /** The next time (epoch ms) a key changes state, or `undefined` when none is scheduled. */
  nextChangeAt(): number | undefined {
    return this.#current().validUntil;
  }

  /**
   * Calls `listener` after the published key set changed (a key published, retired or revoked).
   * @returns A function that removes the listener.
   */
  onChange(listener: () => void): () => void {
    this.#onChange.add(listener);
    return () => this.#onChange.delete(listener);
  }

  /**
   * Calls `listener` for each stored record that fails its integrity checks (once per distinct value).
   * @returns A function that removes the listener.
   */
  onIntegrityFailure(listener: (failure: IntegrityFailure) => void): () => void {
    this.#onIntegrity.add(listener);
    return () => this.#onIntegrity.delete(listener);
  }

  /** Every key this instance holds, with its state now; no key material. */
  keys(): KeyInfo[] {
    const now = this.#now();
    return this.#loaded.map(({ id, record: r }) => {
      const { publicJwk: _publicJwk, ...fields } = fieldsOf(r);
      return {
        ...fields,
        id,
        state: this.#stateOf(r, now),
        kekId: r.kekId,
        hasPrivateKey: r.privateKey !== undefined,
      };
    });
  }

  /**
   * Revokes a key at once: it leaves the JWKS and verifies nothing, its private key is deleted, and a
   * replacement is created (and activated at once when the revoked key was signing).
   * @param kid - The key's `kid`.
   * @throws NotFound (`not-found`) when no record holds this kid; Unavailable (`store-unavailable`).
   */
  async revoke(kid: string): Promise<void> {
    const now = this.#now();
    const entries = await this.store.list();
    let found = false;
    for (const entry of entries) {
      const result = this.#open(entry.value);
      if (!result.ok || result.opened.record.kid !== kid) continue;
      found = true;
      const fields = { ...fieldsOf(result.opened.record), revokedAt: result.opened.record.revokedAt ?? now };
      await this.store.update(
        entry.id,
        JSON.stringify(sealRecord(fields, undefined, this.#keks[0]!)),
        entry.value,
      );
    }
    if (!found) throw new NotFound('Unknown key', { reason: 'not-found' });
    this.#revokedKids.add(kid);
    this.#snapshot = undefined;
    await this.refresh();
  }

  /**
   * Starts a new key before the schedule does: it is published now and signs after `prePublication`
   * (or at once with `immediate`); the current key stops signing then and is retained as usual.
   * @param options - `immediate: true` skips pre-publication (an emergency; prefer `revoke` for a leaked key).
   * @returns The new key's kid, or `undefined` when the next slot's key takes over sooner anyway.
   * @throws Unavailable (`store-unavailable`).
   */
  async rotate(options: { immediate?: boolean } = {}): Promise<string | undefined> {
    await this.refresh();
    const now = this.#now();
    const { algorithm, rotationPeriod, prePublication, retention } = this.settings;
    const slot = slotOf(now, rotationPeriod);
    const activateAt = options.immediate ? now : now + prePublication;
    const dates = slotDates(slot, now, this.settings);
    if (activateAt >= dates.deactivateAt) return undefined;
    const entries = await this.store.list();
    const id = nextInChain(
      entries.map((e) => e.id),
      new Set(this.#loaded.map((k) => k.id)),
      algorithm,
      slot,
    );
    if (!id) throw new Unavailable('Key store holds an unreadable record', { reason: 'store-unavailable' });
    const pair = await generateSigningKeyPair(algorithm, this.settings.rsaModulusLength);
    const fields = {
      ...dates,
      id,
      kid: pair.kid,
      alg: algorithm,
      publicJwk: pair.publicJwk,
      publishAt: now,
      activateAt,
    };
    if (
      !(await this.store.createIfAbsent(
        id,
        JSON.stringify(sealRecord(fields, pair.privateKey, this.#keks[0]!)),
      ))
    ) {
      await this.refresh();
      return undefined;
    }
    for (const key of this.#loaded) {
      const r = key.record;
      if (r.alg !== algorithm || this.#stateOf(r, now) !== 'active' || r.deactivateAt <= activateAt) continue;
      const shortened = { ...fieldsOf(r), deactivateAt: activateAt, retireAt: activateAt + retention };
      await this.store.update(
        key.id,
        JSON.stringify(sealRecord(shortened, key.privateKey, this.#keks[0]!)),
        key.value,
      );
    }
    await this.refresh();
    return pair.kid;
  }

  /**
   * Stores keys that verify and never sign (published now, retired after `retainFor`); used by
   * {@link importKeys}, which parses and policy-checks them first. Idempotent per key.
   * @param keys - Parsed keys.
   * @param retainFor - Milliseconds they stay published; defaults to `settings.retention`.
   * @throws Unavailable (`store-unavailable`).
   */
  async addVerificationKeys(
    keys: readonly ImportedKey[],
    retainFor = this.settings.retention,
  ): Promise<KeyImportResult> {
    const now = this.#now();
    const result: KeyImportResult = { imported: [], existing: [] };
    for (const key of keys) {
      const id = `import:${key.thumbprint}`;
      const fields = {
        id,
        kid: key.kid,
        alg: key.alg,
        publicJwk: key.publicJwk,
        createdAt: now,
        publishAt: now,
        activateAt: now,
        deactivateAt: now,
        retireAt: now + retainFor,
      };
      const created = await this.store.createIfAbsent(
        id,
        JSON.stringify(sealRecord(fields, undefined, this.#keks[0]!)),
      );
      (created ? result.imported : result.existing).push(key.kid);
    }
    await this.refresh();
    return result;
  }

  /**
   * Re-encrypts and re-MACs every record under the first configured KEK (after a KEK rotation: configure
   * `kek: [newKek, oldKek]`, rewrap, then drop the old one).
   * @throws Unavailable (`store-unavailable`).
   */
  async rewrap(): Promise<RewrapResult> {
    const result = await rewrapEntries(this.store, await this.store.list(), this.#keksById, this.#keks[0]!);
    await this.refresh();
    return result;
  }

  // ---- internals ----

  #stateOf(record: KeyRecord, now: number): KeyState {
    return this.#revokedKids.has(record.kid) ? 'revoked' : keyState(record, now);
  }

  #open(value: string): OpenResult {
    let result = this.#opened.get(value);
    if (!result) this.#opened.set(value, (result = openRecord(value, this.#keksById)));
    return result;
  }

  #load(entries: KeyStoreEntry[]): void {
    const loaded: LoadedKey[] = [];
    const opened = new Map<string, OpenResult>();
    const reported = new Set<string>();
    for (const { id, value } of entries) {
      const result = this.#open(value);
      opened.set(value, result);
      if (!result.ok || result.opened.record.id !== id) {
        const reason = result.ok ? 'bad-mac' : result.reason;
        const key = `${id}\n${value}`;
        reported.add(key);
        if (!this.#reported.has(key)) this.#report({ id, reason });
        continue;
      }
      const { record, privateKey } = result.opened;
      if (record.revokedAt !== undefined) this.#revokedKids.add(record.kid);
      // Import each public key once per stored value, not once per refresh.
      const key = this.#loadedByValue.get(value) ?? {
        id,
        value,
        record,
        publicKey: createPublicKey({ key: record.publicJwk, format: 'jwk' }),
        ...(privateKey && { privateKey }),
      };
      loaded.push(key);
    }
    this.#opened = opened;
    this.#loadedByValue = new Map(loaded.map((k) => [k.value, k]));
    this.#reported = reported;
    this.#loaded = loaded.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.#everLoaded = true;
  }

  #report(failure: IntegrityFailure): void {
    for (const listener of this.#onIntegrity) {
      try {
        listener(failure);
      } catch {
        // a failing listener must not stop the ring
      }
    }
  }

  async #refresh(): Promise<void> {
    try {
      let entries = await this.store.list();
      this.#load(entries);
      if (await this.#maintain(entries)) {
        entries = await this.store.list(); // read back: a key signs only once it is read from the store
        this.#load(entries);
      }
      this.#storeAvailable = true;
    } catch (error) {
      this.#storeAvailable = false;
      throw error instanceof Unavailable
        ? error
        : new Unavailable('Key store unavailable', { reason: 'store-unavailable', cause: error });
    } finally {
      this.#snapshot = undefined;
      this.#current();
    }
    this.#lastGoodSigningKid = this.#current().signing?.kid;
  }

  /** Store writes the schedule needs; returns whether anything was written. */
  async #maintain(entries: KeyStoreEntry[]): Promise<boolean> {
    const now = this.#now();
    const { algorithm, rotationPeriod } = this.settings;
    const ids = entries.map((e) => e.id);
    const readable = new Set(this.#loaded.map((k) => k.id));
    const slot = slotOf(now, rotationPeriod);
    let wrote = false;
    const mine = this.#loaded.filter((k) => k.record.alg === algorithm);
    const signing = mine.some((k) => k.privateKey && this.#stateOf(k.record, now) === 'active');
    const nextCovered = mine.some(
      (k) =>
        slotOf(k.record.activateAt, rotationPeriod) === slot + 1 &&
        this.#stateOf(k.record, now) !== 'revoked',
    );
    for (const [target, needed] of [
      [slot, !signing],
      [slot + 1, !nextCovered],
    ] as const) {
      if (!needed) continue;
      const id = nextInChain(ids, readable, algorithm, target);
      if (!id) continue; // an unreadable head: never extend a chain others may read differently
      const pair = await generateSigningKeyPair(algorithm, this.settings.rsaModulusLength);
      const fields = {
        ...slotDates(target, now, this.settings),
        id,
        kid: pair.kid,
        alg: algorithm,
        publicJwk: pair.publicJwk,
      };
      await this.store.createIfAbsent(
        id,
        JSON.stringify(sealRecord(fields, pair.privateKey, this.#keks[0]!)),
      );
      wrote = true;
    }
    for (const key of this.#loaded) {
      const state = this.#stateOf(key.record, now);
      if (state === 'retired' || (state === 'revoked' && now >= key.record.retireAt)) {
        await this.store.delete(key.id);
        wrote = true;
      } else if (key.record.privateKey && (state === 'retiring' || state === 'revoked')) {
        // A key that will never sign again keeps no private key at rest.
        const stripped = sealRecord(fieldsOf(key.record), undefined, this.#keksById.get(key.record.kekId)!);
        await this.store.update(key.id, JSON.stringify(stripped), key.value);
        wrote = true;
      }
    }
    return wrote;
  }

  #signingKey(): SigningKey {
    const signing = this.#current().signing;
    if (this.#storeAvailable) {
      if (signing) return signing;
      throw new Unavailable('No signing key available', { reason: 'unavailable' });
    }
    // Store down: keep the key that was signing at the last good read until it ends, never a newer one.
    if (signing && signing.kid === this.#lastGoodSigningKid) return signing;
    throw new Unavailable('Key store unavailable', { reason: 'store-unavailable' });
  }

  #current(): Snapshot {
    const now = this.#now();
    const snapshot = this.#snapshot;
    if (snapshot && (snapshot.validUntil === undefined || now < snapshot.validUntil)) return snapshot;
    const next = this.#compute(now);
    this.#snapshot = next;
    const previous = this.#publishedJson;
    this.#publishedJson = next.jwksJson;
    if (previous !== undefined && previous !== next.jwksJson) {
      for (const listener of this.#onChange) {
        try {
          listener();
        } catch {
          // a failing listener must not stop the ring
        }
      }
    }
    return next;
  }

  #compute(now: number): Snapshot {
    const byKid = new Map<string, ResolvedVerificationKey>();
    const published: LoadedKey[] = [];
    let signing: LoadedKey | undefined;
    let validUntil: number | undefined;
    for (const key of this.#loaded) {
      const r = key.record;
      for (const at of [r.publishAt, r.activateAt, r.deactivateAt, r.retireAt, r.revokedAt]) {
        if (at !== undefined && at > now && (validUntil === undefined || at < validUntil)) validUntil = at;
      }
      const state = this.#stateOf(r, now);
      if (!isPublished(state) || byKid.has(r.kid)) continue;
      published.push(key);
      byKid.set(r.kid, Object.freeze({ key: key.publicKey, alg: r.alg }));
      if (state === 'active' && key.privateKey && r.alg === this.settings.algorithm) {
        if (
          !signing ||
          r.activateAt < signing.record.activateAt ||
          (r.activateAt === signing.record.activateAt && r.kid < signing.record.kid)
        ) {
          signing = key;
        }
      }
    }
    published.sort(
      (a, b) => a.record.activateAt - b.record.activateAt || (a.record.kid < b.record.kid ? -1 : 1),
    );
    const jwks = Object.freeze({
      keys: Object.freeze(published.map((k) => publishedJwk(k.record.publicJwk, k.record.kid, k.record.alg))),
    }) as { keys: JWK[] };
    return {
      validUntil,
      jwks,
      jwksJson: JSON.stringify(jwks),
      byKid,
      signing:
        signing &&
        Object.freeze({ kid: signing.record.kid, alg: signing.record.alg, key: signing.privateKey! }),
    };
  }

  #schedule(): void {
    if (!this.#started) return;
    const now = this.#now();
    const next = this.#current().validUntil;
    const delay = Math.max(
      10,
      Math.min(this.settings.refreshInterval, next === undefined ? Infinity : next - now + 1),
    );
    this.#timer = setTimeout(() => {
      this.refresh()
        .catch(() => undefined)
        .finally(() => this.#schedule());
    }, delay);
    this.#timer.unref?.();
  }
}

/**
 * Creates a {@link KeyRing} (not started: call `start()`, or let the first `getSigningKey()` read the store).
 * @param options - See {@link KeyRingOptions}.
 * @throws BadRequest (`invalid-configuration`) for an invalid option or KEK, with a did-you-mean hint.
 * @example
 * ```ts
 * const ring = createKeyRing({
 *   store: postgresKeyStore({ connectionString: process.env.DATABASE_URL }),
 *   kek: { secret: process.env.KEK_SECRET! },
 *   algorithm: 'EdDSA',
 * });
 * await ring.start();
 * ```
 */
export function createKeyRing(options: KeyRingOptions): KeyRing {
  return new KeyRing(options);
}
