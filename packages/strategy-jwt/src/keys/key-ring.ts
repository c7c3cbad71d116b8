import { createPublicKey } from 'node:crypto';
import type { JWK } from 'jose';
import { BadRequest, Unavailable } from '@org/core';
import type {
  ResolvedVerificationKey,
  SigningKey,
  SigningKeySource,
  VerificationKeySource,
} from '../key-material/key-source.ts';
import { deriveKeks, type Kek } from './key-encryption-key.ts';
import type { ClockSkew, IntegrityFailure } from './key-ring-events.ts';
import { KeyRingListeners } from './key-ring-listeners.ts';
import { clockSkewEvidence } from './clock-skew.ts';
import { kekMismatchError } from './kek-mismatch.ts';
import { fallbackSigner } from './signing-choice.ts';
import { resolveKeyRingSettings, type KeyRingOptions, type KeyRingSettings } from './key-ring-options.ts';
import { keyState, type KeyInfo, type KeyRecord, type KeyState } from './key-record.ts';
import { revokeKey, rotateKey, storeVerificationKeys, type RingInternals } from './key-ring-admin.ts';
import { applyMaintenance, planMaintenance } from './key-ring-maintenance.ts';
import { computeSnapshot, recordFields, type LoadedKey, type Snapshot } from './key-ring-snapshot.ts';
import { storeNamespace, type KeyStore, type KeyStoreEntry } from './stores/key-store.ts';
import { keyvKeyStore } from './stores/keyv-key-store.ts';
import { openRecord, type OpenResult } from './record-seal.ts';
import { rewrapEntries, type RewrapResult } from './rewrap.ts';
import type { ImportedKey, KeyImportResult } from './imported-key.ts';

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
  readonly #binding: { namespace: string; legacy: 'accept' | 'refuse' };
  readonly #now: () => number;
  readonly #listeners = new KeyRingListeners();
  #loaded: LoadedKey[] = [];
  #opened = new Map<string, OpenResult>();
  #loadedByValue = new Map<string, LoadedKey>();
  #publishedJson: string | undefined;
  // Set once a read showed that the configured KEKs open the store (or found it empty).
  #kekChecked = false;
  #kekMismatch: BadRequest | undefined;
  // Every kid this instance saw revoked, with the revocation time, for the life of the process.
  #revokedKids = new Map<string, number>();
  #snapshot: Snapshot | undefined;
  #storeAvailable = false;
  #everLoaded = false;
  #lastGoodSigningKid: string | undefined;
  #refreshing: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #started = false;
  #lastMissRefresh = -Infinity;
  readonly #internals: RingInternals;

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
    this.#binding = { namespace: storeNamespace(this.store), legacy: options.legacyRecords ?? 'accept' };
    this.#now = options.now ?? Date.now;
    if (options.onIntegrityFailure) this.#listeners.integrity.add(options.onIntegrityFailure);
    if (options.onClockSkew) this.#listeners.clockSkew.add(options.onClockSkew);
    this.#internals = {
      store: this.store,
      settings: this.settings,
      writeKek: this.#keks[0]!,
      namespace: this.#binding.namespace,
      now: this.#now,
      open: (value) => this.#open(value),
      loaded: () => this.#loaded,
      stateOf: (record, now) => this.#stateOf(record, now),
      markRevoked: (kid, revokedAt) => {
        this.#revokedKids.set(kid, Math.min(revokedAt, this.#revokedKids.get(kid) ?? revokedAt));
        this.#snapshot = undefined;
      },
      refresh: () => this.refresh(),
    };
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
   * @throws Unavailable (`store-unavailable`) when the store cannot be read; BadRequest
   * (`invalid-configuration`) when the store holds records and the configured KEKs open none of them (the
   * error's `data` lists `storeKekIds` and `configuredKekIds`); nothing is written then.
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
   * @throws Unavailable (`store-unavailable`) when the store failed; BadRequest (`invalid-configuration`)
   * on the first read, when the configured KEKs open none of the store's records (see `start`).
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
   * BadRequest (`invalid-configuration`) when the ring was never started and the KEK opens nothing.
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
    this.#listeners.change.add(listener);
    return () => this.#listeners.change.delete(listener);
  }

  /**
   * Calls `listener` for each stored record that fails its integrity checks (once per distinct value). The
   * record is ignored; a slot whose signing key fails gets a replacement key at once. Each failure is also
   * logged once as a process warning (code `ORG_KEY_RING_INTEGRITY`).
   * @returns A function that removes the listener.
   */
  onIntegrityFailure(listener: (failure: IntegrityFailure) => void): () => void {
    this.#listeners.integrity.add(listener);
    return () => this.#listeners.integrity.delete(listener);
  }

  /**
   * Calls `listener` when a record shows that another instance's clock differs from this one's by more
   * than `clockTolerance` (once per record and kind of evidence). The ring creates no key on a read that
   * shows such evidence. Each report is also logged once as a process warning (code
   * `ORG_KEY_RING_CLOCK_SKEW`).
   * @returns A function that removes the listener.
   */
  onClockSkew(listener: (skew: ClockSkew) => void): () => void {
    this.#listeners.clockSkew.add(listener);
    return () => this.#listeners.clockSkew.delete(listener);
  }

  /** Every key this instance holds, with its state now; no key material. */
  keys(): KeyInfo[] {
    const now = this.#now();
    return this.#loaded.map(({ id, record: r }) => {
      const { publicJwk: _publicJwk, ...fields } = recordFields(r);
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
   * replacement is created (and activated at once when the revoked key was signing). Resolves only once
   * the store holds the revocation: a record another writer changes meanwhile is read again and revoked
   * as it is now (compare-and-set, retried).
   * @param kid - The key's `kid`.
   * @throws NotFound (`not-found`) when no record holds this kid; Conflict (`conflict`) when a record
   * kept changing, or changed into one this instance cannot open, so the revocation is not stored;
   * Unavailable (`store-unavailable`).
   */
  revoke(kid: string): Promise<void> {
    return revokeKey(this.#internals, kid);
  }

  /**
   * Starts a new key before the schedule does: it is published now and signs after `prePublication`
   * (or at once with `immediate`); the current key stops signing then and is retained as usual.
   * @param options - `immediate: true` skips pre-publication (an emergency; prefer `revoke` for a leaked key).
   * @returns The new key's kid, or `undefined` when the next slot's key takes over sooner anyway.
   * @throws Unavailable (`store-unavailable`).
   */
  rotate(options: { immediate?: boolean } = {}): Promise<string | undefined> {
    return rotateKey(this.#internals, options.immediate === true);
  }

  /**
   * Stores keys that verify and never sign (published now, retired after `retainFor`); used by
   * {@link importKeys}, which parses and policy-checks them first. Idempotent per key.
   * @param keys - Parsed keys.
   * @param retainFor - Milliseconds they stay published; defaults to `settings.retention`.
   * @throws Conflict (`conflict`) when a key's kid names another key of the ring (nothing is stored);
   * Unavailable (`store-unavailable`).
   */
  addVerificationKeys(
    keys: readonly ImportedKey[],
    retainFor = this.settings.retention,
  ): Promise<KeyImportResult> {
    return storeVerificationKeys(this.#internals, keys, retainFor);
  }

  /**
   * Re-encrypts and re-MACs every record under the first configured KEK (after a KEK rotation: configure
   * `kek: [newKek, oldKek]`, rewrap, then drop the old one), bound to the store's namespace: this also
   * upgrades records of format version 1 (see `legacyRecords`).
   * @throws Unavailable (`store-unavailable`).
   */
  async rewrap(): Promise<RewrapResult> {
    const result = await rewrapEntries(
      this.store,
      await this.store.list(),
      this.#keksById,
      this.#keks[0]!,
      this.#binding,
    );
    await this.refresh();
    return result;
  }

  // ---- internals ----

  #stateOf(record: KeyRecord, now: number): KeyState {
    return this.#revokedKids.has(record.kid) ? 'revoked' : keyState(record, now);
  }

  #open(value: string): OpenResult {
    let result = this.#opened.get(value);
    if (!result) this.#opened.set(value, (result = openRecord(value, this.#keksById, this.#binding)));
    return result;
  }

  /** Authenticates and loads a store read; returns the records that failed, after reporting them. */
  #load(entries: KeyStoreEntry[]): Array<IntegrityFailure & { value: string }> {
    const loaded: LoadedKey[] = [];
    const opened = new Map<string, OpenResult>();
    const failures: Array<IntegrityFailure & { value: string }> = [];
    for (const { id, value } of entries) {
      const result = this.#open(value);
      opened.set(value, result);
      if (!result.ok || result.opened.record.id !== id) {
        failures.push({ id, reason: result.ok ? 'bad-mac' : result.reason, value });
        continue;
      }
      const { record } = result.opened;
      if (record.revokedAt !== undefined && !this.#revokedKids.has(record.kid))
        this.#revokedKids.set(record.kid, record.revokedAt);
      // A key still active on this clock that an instance whose clock is ahead stripped keeps signing with
      // the private key this instance already holds, until its own clock ends it (never after a revocation).
      const held = this.#loaded.find((k) => k.id === id && k.record.kid === record.kid)?.privateKey;
      const privateKey =
        result.opened.privateKey ??
        (held && this.#stateOf(record, this.#now()) === 'active' ? held : undefined);
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
    this.#loaded = loaded.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.#everLoaded = true;
    this.#listeners.integrityFailures(failures);
    return failures;
  }

  async #refresh(): Promise<void> {
    try {
      let entries = await this.store.list();
      const failures = this.#load(entries);
      const mismatch = kekMismatchError(entries, failures, this.#loaded.length, [...this.#keksById.keys()]);
      // An instance that opens nothing never writes: its records would be unreadable to the others. Once
      // the KEK opened the store, records that all fail under known KEK ids were altered, not sealed by
      // another deployment: chains are extended past them as usual.
      const foreign =
        mismatch !== undefined &&
        (!this.#kekChecked || (mismatch.data.storeKekIds as string[]).some((id) => !this.#keksById.has(id)));
      this.#kekMismatch = foreign ? mismatch : undefined;
      this.#storeAvailable = true;
      if (foreign && !this.#kekChecked) throw mismatch;
      this.#kekChecked = true;
      if (!foreign && (await this.#maintain(entries))) {
        entries = await this.store.list(); // read back: a key signs only once it is read from the store
        this.#load(entries);
      }
      this.#storeAvailable = true;
    } catch (error) {
      if (error === this.#kekMismatch) throw error;
      this.#storeAvailable = false;
      // A store that cannot work as configured (its package is not installed) says so; anything else
      // is an outage the ring rides out.
      const configuration = error instanceof BadRequest && error.reason === 'missing-package';
      throw error instanceof Unavailable || configuration
        ? error
        : new Unavailable('Key store unavailable', { reason: 'store-unavailable', cause: error });
    } finally {
      this.#snapshot = undefined;
      this.#current();
    }
    this.#lastGoodSigningKid = this.#signer()?.kid;
  }

  /** Store writes the schedule needs; returns whether anything was written. */
  async #maintain(entries: KeyStoreEntry[]): Promise<boolean> {
    const now = this.#now();
    const stateOf = (r: KeyRecord) => this.#stateOf(r, now);
    const skew = clockSkewEvidence(this.#loaded, now, stateOf, this.settings.clockTolerance);
    this.#listeners.skew(skew);
    const ids = entries.map((e) => e.id);
    const plan = planMaintenance(this.#loaded, ids, now, this.settings, stateOf);
    // A key created now would follow a schedule the instance whose clock disagrees does not.
    if (skew.length > 0) plan.create = [];
    return applyMaintenance(
      {
        store: this.store,
        settings: this.settings,
        writeKek: this.#keks[0]!,
        kekOf: (id) => this.#keksById.get(id)!,
        revokedAt: (kid) => this.#revokedKids.get(kid),
        namespace: this.#binding.namespace,
      },
      plan,
      now,
    );
  }

  /** The active key of the snapshot, or a {@link fallbackSigner} when none is active on this clock. */
  #signer(): SigningKey | undefined {
    const active = this.#current().signing;
    if (active) return active;
    const now = this.#now();
    const key = fallbackSigner(this.#loaded, now, (r) => this.#stateOf(r, now), this.settings);
    return key && Object.freeze({ kid: key.record.kid, alg: key.record.alg, key: key.privateKey! });
  }

  #signingKey(): SigningKey {
    const signing = this.#signer();
    if (this.#storeAvailable) {
      if (signing) return signing;
      const why = this.#kekMismatch ? ': the configured KEKs open none of the stored records' : '';
      throw new Unavailable(`No signing key available${why}`, { reason: 'unavailable' });
    }
    // Store down: keep the key that was signing at the last good read until it ends, never a newer one.
    if (signing && signing.kid === this.#lastGoodSigningKid) return signing;
    throw new Unavailable('Key store unavailable', { reason: 'store-unavailable' });
  }

  #current(): Snapshot {
    const now = this.#now();
    const snapshot = this.#snapshot;
    if (snapshot && (snapshot.validUntil === undefined || now < snapshot.validUntil)) return snapshot;
    const next = computeSnapshot(this.#loaded, now, (r) => this.#stateOf(r, now), this.settings.algorithm);
    this.#snapshot = next;
    const previous = this.#publishedJson;
    this.#publishedJson = next.jwksJson;
    if (previous !== undefined && previous !== next.jwksJson) this.#listeners.changed();
    return next;
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
