/**
 * Errors are values that say where: the file, the byte offset, which check, and a message a person can
 * act on. `errno` carries the systemd error name when the failure mirrors one (journalctl prints its
 * strerror text in "Failed to open files: …" and "FAIL: f (…)" lines).
 */
export type Errno =
  | 'EBADMSG' | 'EADDRNOTAVAIL' | 'EOPNOTSUPP' | 'ENOKEY' | 'EINVAL' | 'ENOMEM' | 'EFBIG'
  | 'ENOBUFS' | 'EKEYREJECTED' | 'ENODATA' | 'EPROTONOSUPPORT' | 'EIO';

export const STRERROR: Record<Errno, string> = {
  EBADMSG: 'Bad message',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EOPNOTSUPP: 'Operation not supported',
  ENOKEY: 'Required key not available',
  EINVAL: 'Invalid argument',
  ENOMEM: 'Cannot allocate memory',
  EFBIG: 'File too large',
  ENOBUFS: 'No buffer space available',
  EKEYREJECTED: 'Key was rejected by service',
  ENODATA: 'No data available',
  EPROTONOSUPPORT: 'Protocol not supported',
  EIO: 'Input/output error',
};

export class JournalError extends Error {
  constructor(
    /** File name as given by the user (base name in the corpus runs). */
    readonly file: string,
    /** Byte offset the problem was found at (object offset, header field offset, …). */
    readonly offset: number,
    /** Short machine-readable name of the check, e.g. "object-header", "data-hash", "open". */
    readonly check: string,
    message: string,
    readonly errno: Errno = 'EBADMSG',
  ) {
    super(message);
    this.name = 'JournalError';
  }

  /** "file: offset 0x1234: message" for people; journalctl-compatible lines are built elsewhere. */
  describe(): string {
    return `${this.file}: offset ${this.offset} (0x${this.offset.toString(16)}): ${this.message}`;
  }
}
