// Text from outside (an upstream's error message, a path Claude Code sent, a vendor's answer) made safe
// to print on a terminal and to write as one log line: every control character becomes a visible
// escape, so no `ESC]52` (a clipboard write), `ESC]0` (the window title), CSI colour or cursor
// sequence reaches the terminal, and no CR or LF forges a log line (docs/security.md).

/** C0 controls but tab, DEL, C1 controls (0x9b is a one-byte CSI), and the Unicode line and paragraph separators. */
const CONTROL = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\u001b': '\\e' };

/** `text` with each control character written as `\n`, `\r`, `\e` or `\xHH` / `\uHHHH`. */
export function escapeControl(text: string): string {
  return text.replace(
    CONTROL,
    (c) =>
      NAMED[c] ??
      (c.charCodeAt(0) <= 0xff
        ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
        : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}

/** A log writer that writes each line escaped: whatever a line quotes, it stays one line and prints as text. */
export function safeLog(write: (line: string) => void): (line: string) => void {
  return (line) => write(escapeControl(line));
}
