// The layout rule of docs/architecture.md: the library (proxy/) never imports the entry points (scripts/), and
// no files of proxy/ and scripts/ import each other in a circle (type-only and dynamic imports count: a circle
// of types still ties the files into one piece).

import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

const ROOT = resolve(import.meta.dirname, '..');
const SOURCE = /\.(ts|mts|mjs|js)$/;

/** Every source file under `dir`, as paths from the root with '/' separators. */
function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && SOURCE.test(e.name) && !e.name.endsWith('.test.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)).split(sep).join('/'));
}

/**
 * The relative module specifiers a file imports: import/export … from, side-effect imports and import('…') with a
 * literal, type-only ones included. TypeScript's own pre-processor reads them (comments and strings are skipped).
 */
export function specifiers(text: string): string[] {
  return ts
    .preProcessFile(text, true, true)
    .importedFiles.map((f) => f.fileName)
    .filter((s) => s.startsWith('./') || s.startsWith('../'));
}

/** The import graph: file → the files it imports, for files under `dirs` (edges leaving `dirs` are kept as targets). */
function importGraph(dirs: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of dirs.flatMap(sources)) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    graph.set(
      file,
      specifiers(text).map((s) => join(dirname(file), s).split(sep).join('/')),
    );
  }
  return graph;
}

/** The circles of a graph: its strongly connected components with more than one file, or a file importing itself. */
export function circles(graph: Map<string, string[]>): string[][] {
  // Tarjan's algorithm, iterative so a deep chain cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const found: string[][] = [];
  let next = 0;
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; edge: number }[] = [{ node: start, edge: 0 }];
    index.set(start, next);
    low.set(start, next++);
    stack.push(start);
    onStack.add(start);
    while (work.length) {
      const top = work[work.length - 1];
      const edges = (graph.get(top.node) ?? []).filter((t) => graph.has(t));
      if (top.edge < edges.length) {
        const to = edges[top.edge++];
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) low.set(top.node, Math.min(low.get(top.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      if (work.length) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let n: string;
        do {
          n = stack.pop()!;
          onStack.delete(n);
          component.push(n);
        } while (n !== top.node);
        if (component.length > 1 || (graph.get(top.node) ?? []).includes(top.node)) found.push(component.sort());
      }
    }
  }
  return found;
}

describe('the layout: library and entry points apart', () => {
  const graph = importGraph(['proxy', 'scripts']);

  it('reads the import graph (the parser sees static, type-only, re-export and dynamic imports)', () => {
    expect(
      specifiers(
        [
          "import a from './a.ts';",
          "import type { B } from '../b.ts';",
          "export { c } from './c.mjs';",
          "import './d.ts';",
          "const e = await import('./e.ts');",
          "// import f from './f.ts';",
          'const s = \'import g from "./g.ts"\';',
          "import h from 'node:fs';",
        ].join('\n'),
      ),
    ).toEqual(['./a.ts', '../b.ts', './c.mjs', './d.ts', './e.ts']);
    expect(graph.get('proxy/app.ts')?.length).toBeGreaterThan(0);
    expect(graph.has('scripts/review.ts')).toBe(true);
  });

  it('no file under proxy/ imports from scripts/', () => {
    const offending = [...graph]
      .filter(([file]) => file.startsWith('proxy/'))
      .flatMap(([file, targets]) => targets.filter((t) => t.startsWith('scripts/')).map((t) => `${file} -> ${t}`));
    expect(offending).toEqual([]);
  });

  it('no import circle among the files of proxy/ and scripts/', () => {
    expect(circles(graph)).toEqual([]);
  });

  it('finds a circle when there is one (the check can fail)', () => {
    const g = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a', 'd']],
      ['d', []],
      ['e', ['e']],
    ]);
    expect(circles(g)).toEqual([['a', 'b', 'c'], ['e']]);
  });
});
