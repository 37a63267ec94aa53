import { describe, expect, it } from 'vitest';
import { Lru } from '../src/store/lru.js';

describe('Lru', () => {
  it('evicts the least recently used entries past the cost bound', () => {
    const lru = new Lru<string, string>(10, (v) => v.length);
    lru.set('a', 'xxxx');
    lru.set('b', 'xxxx');
    expect(lru.get('a')).toBe('xxxx'); // a is now the most recent
    lru.set('c', 'xxxx'); // 12 > 10: b goes
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('xxxx');
    expect(lru.get('c')).toBe('xxxx');
  });

  it('never keeps an entry larger than the bound, and replaces on set', () => {
    const lru = new Lru<string, string>(5, (v) => v.length);
    lru.set('big', 'xxxxxxxx');
    expect(lru.get('big')).toBeUndefined();
    lru.set('k', 'xx');
    lru.set('k', 'yyy');
    lru.set('j', 'zz');
    expect(lru.get('k')).toBe('yyy');
    expect(lru.get('j')).toBe('zz');
  });
});
