'use strict';
// verdict (Aider Polyglot, JavaScript): jest's setupFilesAfterEnv, so it runs in
// the test file's context before the spec, and so before the spec imports the
// solution. The solution may not replace jest's globals (a fake `expect`),
// register or override matchers (expect.extend), or replace the built-ins the
// matchers compare with (Object.is, Array.isArray, ...): each such write throws.
const g = globalThis;

function lock(obj, key) {
  const d = Object.getOwnPropertyDescriptor(obj, key);
  if (!d || !d.configurable) return;
  if ('value' in d) Object.defineProperty(obj, key, { value: d.value, writable: false, enumerable: d.enumerable, configurable: false });
  else Object.defineProperty(obj, key, { get: d.get, set: d.set, enumerable: d.enumerable, configurable: false });
}

const JEST = ['expect', 'test', 'it', 'describe', 'xtest', 'xit', 'xdescribe', 'fit', 'fdescribe', 'beforeAll', 'beforeEach', 'afterAll', 'afterEach'];
// not Error: jest itself sets Error.stackTraceLimit
const BUILTINS = ['Object', 'Array', 'Reflect', 'Number', 'String', 'Boolean', 'Symbol', 'Math', 'JSON', 'Map', 'Set', 'WeakMap', 'WeakSet', 'Date', 'RegExp', 'Promise', 'BigInt', 'Function'];
for (const k of JEST) {
  const f = g[k];
  if (f === undefined) continue;
  for (const p of Reflect.ownKeys(f)) lock(f, p);
  if (f.not) for (const p of Reflect.ownKeys(f.not)) lock(f.not, p);
  lock(g, k);
}
for (const k of BUILTINS) {
  const c = g[k];
  if (c === undefined) continue;
  // own (static) members only: prototypes stay writable, as code may assign methods on its own objects
  for (const p of Reflect.ownKeys(c)) if (p !== 'prototype') lock(c, p);
  lock(g, k);
}
// the matcher table and custom equality testers (expect.extend, addEqualityTesters)
const M = Symbol.for('$$jest-matchers-object');
const table = g[M];
if (table) {
  Object.freeze(table.matchers);
  Object.freeze(table.customEqualityTesters);
  lock(table, 'matchers');
  lock(table, 'customEqualityTesters');
  lock(g, M);
}
