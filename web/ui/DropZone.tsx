/**
 * Where files come in: drag & drop of files and folders anywhere on the page, and two real
 * <input type=file>s (files; a folder) for keyboard users and scripts.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { fromDrop, fromInput, type Picked } from './files.js';

export function DropZone(props: { onFiles(files: Picked[]): void }) {
  const [over, setOver] = useState(false);
  const folderInput = useRef<HTMLInputElement>(null);
  const onFiles = useRef(props.onFiles);
  onFiles.current = props.onFiles;

  useEffect(() => {
    // Folder picking is a non-standard property; set it on the element rather than in markup.
    if (folderInput.current) folderInput.current.webkitdirectory = true;
    let depth = 0;
    const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setOver(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (!depth) setOver(false);
    };
    const overFn = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer!.dropEffect = 'copy';
    };
    const drop = async (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setOver(false);
      const picked = await fromDrop(e.dataTransfer!);
      if (picked.length) onFiles.current(picked);
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragleave', leave);
    window.addEventListener('dragover', overFn);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('dragover', overFn);
      window.removeEventListener('drop', drop);
    };
  }, []);

  const onChange = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const picked = fromInput(input.files);
    input.value = ''; // so picking the same file again verifies it again
    if (picked.length) props.onFiles(picked);
  };

  return (
    <div class={`drop-zone${over ? ' over' : ''}`}>
      <p class="drop-title">Drop journal files or folders here</p>
      <p class="hint">
        <code>*.journal</code> and archived <code>*.journal~</code> files, e.g. from <code>/var/log/journal/</code>. They are
        read in this browser only — nothing is uploaded.
      </p>
      <div class="pickers">
        <input id="files" class="visually-hidden" type="file" multiple onChange={onChange} />
        <label for="files" class="button primary">
          Choose files…
        </label>
        <input id="folder" ref={folderInput} class="visually-hidden" type="file" multiple onChange={onChange} />
        <label for="folder" class="button">
          Choose a folder…
        </label>
      </div>
    </div>
  );
}
