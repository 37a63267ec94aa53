/** One fenced block of a Markdown reply. */
export interface FencedBlock {
  /** the info string after the opening fence (`python`, `cpp`, ``), lower-cased */
  lang: string;
  body: string;
}

const OPEN = /^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n`]*$/;

/**
 * Fenced code blocks in order. An unclosed last fence runs to the end of the
 * text: a reply cut off by the token limit still carries its code.
 */
export function fencedBlocks(text: string): FencedBlock[] {
  const lines = text.split(/\r?\n/);
  const out: FencedBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const m = OPEN.exec(lines[i]!);
    if (!m) {
      i += 1;
      continue;
    }
    const fence = m[1]!;
    const close = new RegExp(`^[ \\t]{0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
    const body: string[] = [];
    i += 1;
    while (i < lines.length && !close.test(lines[i]!)) body.push(lines[i++]!);
    out.push({ lang: m[2]!.toLowerCase(), body: body.join('\n') });
    i += 1;
  }
  return out;
}

const PYTHON_TAGS = new Set(['python', 'python3', 'py', 'py3', '']);

/** Blocks that may hold Python: tagged python, or untagged. */
export function pythonBlocks(text: string): FencedBlock[] {
  return fencedBlocks(text).filter((b) => PYTHON_TAGS.has(b.lang));
}
