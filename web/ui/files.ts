/**
 * Which files a drop or a pick means. Single files are taken as given (a non-journal gets a clear
 * error on its card); inside folders only journal files count: `*.journal` and archived `*.journal~`.
 */

export interface Picked {
  file: File;
  /** Path inside a dropped/picked folder, or the file name. */
  path: string;
}

export function isJournalName(name: string): boolean {
  return /\.journal~?$/.test(name);
}

/** From <input type=file> (with or without webkitdirectory). */
export function fromInput(list: FileList | null): Picked[] {
  const out: Picked[] = [];
  for (const file of Array.from(list ?? [])) {
    const rel = file.webkitRelativePath;
    if (rel && !isJournalName(file.name)) continue;
    out.push({ file, path: rel || file.name });
  }
  return out;
}

/** From a drop: files as they are, folders walked recursively (webkitGetAsEntry). */
export async function fromDrop(dt: DataTransfer): Promise<Picked[]> {
  const entries: FileSystemEntry[] = [];
  const loose: File[] = [];
  for (const item of Array.from(dt.items ?? [])) {
    if (item.kind !== 'file') continue;
    const entry = item.webkitGetAsEntry?.();
    if (entry) entries.push(entry);
    else {
      const f = item.getAsFile();
      if (f) loose.push(f);
    }
  }
  if (!entries.length && !loose.length) return fromInput(dt.files);
  const out: Picked[] = loose.map((file) => ({ file, path: file.name }));
  for (const entry of entries) {
    if (entry.isFile) out.push({ file: await fileOf(entry as FileSystemFileEntry), path: entry.name });
    else if (entry.isDirectory) await walk(entry as FileSystemDirectoryEntry, entry.name, out);
  }
  return out;
}

async function walk(dir: FileSystemDirectoryEntry, prefix: string, out: Picked[]): Promise<void> {
  const reader = dir.createReader();
  // readEntries returns at most ~100 entries per call; call until it returns none.
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (!batch.length) break;
    for (const e of batch) {
      const path = `${prefix}/${e.name}`;
      if (e.isDirectory) await walk(e as FileSystemDirectoryEntry, path, out);
      else if (e.isFile && isJournalName(e.name)) out.push({ file: await fileOf(e as FileSystemFileEntry), path });
    }
  }
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}
