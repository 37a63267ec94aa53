// Debian mirrors: where debootstrap fetches from and which apt sources the base image gets (the host's or the configured ones).
import { promises as fs } from 'node:fs';
import type { ImagesConfig } from './config.js';

export const DEFAULT_DEBIAN_MIRROR = 'http://deb.debian.org/debian';
export const DEFAULT_DEBIAN_SECURITY_MIRROR = 'http://deb.debian.org/debian-security';
const HOST_DEBIAN_SOURCES = '/etc/apt/sources.list.d/debian.sources';

export interface DebianMirrors {
  mirror: string;
  security: string;
}

/**
 * Mirrors from the text of a deb822 `debian.sources` file: `mirror` is the
 * first `URIs:` entry, `security` the first URI of a stanza whose suites
 * include `-security` (else derived from `mirror`).
 */
export function mirrorsFromSources(text: string | undefined): DebianMirrors {
  let mirror: string | undefined;
  let security: string | undefined;
  if (text !== undefined) {
    const stanzas = text.split(/\n\s*\n/);
    for (const stanza of stanzas) {
      const fields = new Map<string, string>();
      for (const raw of stanza.split('\n')) {
        const line = raw.trim();
        if (line === '' || line.startsWith('#')) continue;
        const m = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
        if (m?.[1] !== undefined && m[2] !== undefined) fields.set(m[1].toLowerCase(), m[2]);
      }
      const uri = fields.get('uris')?.split(/\s+/)[0];
      if (uri === undefined || !/^https?:\/\//.test(uri)) continue;
      const suites = fields.get('suites') ?? '';
      if (/-security\b/.test(suites)) security ??= uri;
      else mirror ??= uri;
    }
  }
  mirror = (mirror ?? DEFAULT_DEBIAN_MIRROR).replace(/\/+$/, '');
  if (security === undefined) {
    security = /\/debian$/.test(mirror) ? `${mirror}-security` : DEFAULT_DEBIAN_SECURITY_MIRROR;
  }
  return { mirror, security: security.replace(/\/+$/, '') };
}

/**
 * `mirror` is what debootstrap fetches from (may be a file: URI on the host);
 * `apt` are the mirrors written into the image, which must be http(s).
 */
export async function resolveMirrors(config: ImagesConfig): Promise<{ mirror: string; apt: DebianMirrors }> {
  let text: string | undefined;
  try {
    text = await fs.readFile(HOST_DEBIAN_SOURCES, 'utf8');
  } catch {
    text = undefined;
  }
  const host = mirrorsFromSources(text);
  const configured = config.debianMirror?.replace(/\/+$/, '');
  const mirror = configured ?? host.mirror;
  const aptMirror = configured !== undefined && /^https?:/.test(configured) ? configured : host.mirror;
  const derived = /\/debian$/.test(aptMirror) ? `${aptMirror}-security` : DEFAULT_DEBIAN_SECURITY_MIRROR;
  const security =
    config.debianSecurityMirror?.replace(/\/+$/, '') ?? (configured === undefined ? host.security : derived);
  return { mirror, apt: { mirror: aptMirror, security } };
}

