/** One fenced block of a Markdown reply. */
export interface FencedBlock {
  /** the info string after the opening fence (`python`, `cpp`, ``), lower-cased */
  lang: string;
  body: string;
}

/**
 * /^[ \t]{0,3}(`{3,}|~{3,})[ \t]*([^\s`]*)[^\n`]*$/ as a scanner: an opening
 * fence and its info word. (The regex backtracks quadratically on a long
 * fence line with a backtick at its end.)
 */
function openFence(line: string): { fence: string; lang: string } | undefined {
  let i = 0;
  while (i < 3 && (line[i] === ' ' || line[i] === '\t')) i++;
  const ch = line[i];
  if (ch !== '`' && ch !== '~') return undefined;
  const start = i;
  while (line[i] === ch) i++;
  if (i - start < 3) return undefined;
  const fence = line.slice(start, i);
  // the rest of the line holds no backtick
  if (line.indexOf('`', i) >= 0) return undefined;
  while (line[i] === ' ' || line[i] === '\t') i++;
  const l = i;
  while (i < line.length && !/\s/.test(line[i]!)) i++;
  return { fence, lang: line.slice(l, i) };
}

/**
 * Fenced code blocks in order. An unclosed last fence runs to the end of the
 * text: a reply cut off by the token limit still carries its code.
 */
export function fencedBlocks(text: string): FencedBlock[] {
  const lines = text.split(/\r?\n/);
  const out: FencedBlock[] = [];
  let i = 0;
  while (i < lines.length) {
    const m = openFence(lines[i]!);
    if (!m) {
      i += 1;
      continue;
    }
    const fence = m.fence;
    const close = new RegExp(`^[ \\t]{0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}[ \\t]*$`);
    const body: string[] = [];
    i += 1;
    while (i < lines.length && !close.test(lines[i]!)) body.push(lines[i++]!);
    out.push({ lang: m.lang.toLowerCase(), body: body.join('\n') });
    i += 1;
  }
  return out;
}

const PYTHON_TAGS = new Set(['python', 'python3', 'py', 'py3', '']);

/** Blocks that may hold Python: tagged python, or untagged. */
export function pythonBlocks(text: string): FencedBlock[] {
  return fencedBlocks(text).filter((b) => PYTHON_TAGS.has(b.lang));
}
