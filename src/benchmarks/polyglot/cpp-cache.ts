import type { FileEntry, VolumeFill } from '../../sandbox/types.js';
import { CPP_CACHE } from './languages.js';
import { PolyglotHiddenSchema } from './read.js';
import type { ProblemRecord } from '../../domain.js';

// C++ grades recompile Catch2's main (test/tests-main.cpp + test/catch.hpp,
// the same in every exercise): ~20 s of a ~25 s grade. ccache serves it from a
// volume filled at import (src/sandbox/volumes.ts) by compiling only that file
// of the pristine exercises, never candidate code and never a test file (they
// go in empty: cmake only checks that sources exist). Grades mount the volume
// read-only with ccache in read-only mode (sandboxes/polyglot-cpp/run-tests),
// so no answer can poison it; a hit gives the object the compiler would have
// made (ccache hashes compiler, flags and every included file's content), and
// a miss (empty or absent volume) just compiles. The benchmark's files never
// enter this repository or the image.

export function cppCacheFills(problems: ProblemRecord[]): VolumeFill[] {
  const files: FileEntry[] = [];
  const slugs: string[] = [];
  for (const p of problems) {
    const h = PolyglotHiddenSchema.safeParse(p.hidden);
    if (!h.success || h.data.language !== 'cpp') continue;
    const main = h.data.files['test/tests-main.cpp'];
    if (main === undefined || h.data.files['CMakeLists.txt'] === undefined) continue;
    slugs.push(h.data.slug);
    for (const [name, content] of Object.entries(h.data.files)) {
      const keep = name === 'CMakeLists.txt' || name.startsWith('test/');
      files.push({ path: `${h.data.slug}/${name}`, content: keep ? content : '' });
    }
  }
  if (!slugs.length) return [];
  return [{ volume: CPP_CACHE.name, image: 'polyglot-cpp', target: CPP_CACHE.target, files, argv: ['/opt/polyglot/warm-cache', ...slugs] }];
}
