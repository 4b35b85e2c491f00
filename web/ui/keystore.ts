/**
 * Remembered verification keys, keyed by journal machine ID, in IndexedDB via idb-keyval — only when
 * the user asks. Opening an idb-keyval store creates the database, so reading first checks that the
 * database exists: a visitor who never remembers a key leaves nothing behind.
 */
import { createStore, del, entries, get, set, type UseStore } from 'idb-keyval';

export interface RememberedKey {
  machineId: string;
  key: string;
  hostname?: string;
  savedAt: number;
}

const DB = 'sealcheck';
const STORE = 'verification-keys';
let store: UseStore | undefined;

async function existingStore(): Promise<UseStore | undefined> {
  if (store) return store;
  if (typeof indexedDB === 'undefined') return undefined;
  // indexedDB.databases() is missing in old Firefox: then only a store this page opened is read.
  if (typeof indexedDB.databases !== 'function') return undefined;
  const dbs = await indexedDB.databases();
  if (!dbs.some((d) => d.name === DB)) return undefined;
  store = createStore(DB, STORE);
  return store;
}

export async function listKeys(): Promise<RememberedKey[]> {
  const s = await existingStore();
  if (!s) return [];
  const all = await entries<string, RememberedKey>(s);
  return all.map(([, v]) => v).sort((a, b) => a.machineId.localeCompare(b.machineId));
}

export async function keyForMachine(machineId: string): Promise<RememberedKey | undefined> {
  const s = await existingStore();
  return s ? get<RememberedKey>(machineId, s) : undefined;
}

export async function rememberKey(entry: RememberedKey): Promise<void> {
  store ??= createStore(DB, STORE);
  await set(entry.machineId, entry, store);
}

export async function forgetKey(machineId: string): Promise<void> {
  const s = await existingStore();
  if (s) await del(machineId, s);
}

/** "Forget" the last key deletes the database too, so nothing at all is left. */
export async function forgetAllIfEmpty(): Promise<void> {
  const s = await existingStore();
  if (!s || (await entries(s)).length) return;
  store = undefined;
  // Close idb-keyval's connection first, or the deletion waits for the page to go away.
  await s('readonly', (os) => os.transaction.db.close());
  await new Promise<void>((resolve) => {
    const req = indexedDB.deleteDatabase(DB);
    req.onsuccess = req.onerror = req.onblocked = () => resolve();
  });
}
