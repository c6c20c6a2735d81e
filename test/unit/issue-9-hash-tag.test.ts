import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hashTag, shareHashTag } from '../../gateway/store/hash-tag.js';

// Redis Cluster specification, "Hash tags": the examples given there, and the keys the gateway makes.
const tags: { description: string; key: string; tag: string }[] = [
  { description: 'no braces: the whole key', key: 'gw:c:e:route:abc', tag: 'gw:c:e:route:abc' },
  { description: 'a tag: only it', key: '{user1000}.following', tag: 'user1000' },
  { description: 'the first { and the first } after it', key: 'foo{{bar}}zap', tag: '{bar' },
  { description: 'only the first tag counts', key: 'foo{bar}{zap}', tag: 'bar' },
  { description: 'an empty tag is no tag: the whole key', key: 'foo{}{bar}', tag: 'foo{}{bar}' },
  { description: 'an opening brace never closed: the whole key', key: 'gw:a{b', tag: 'gw:a{b' },
  { description: 'a closing brace before any opening one is plain text', key: 'a}b{c}', tag: 'c' },
  { description: "revocation's per-user tag behind the prefix", key: 'gw:rv:{alice}:jti:123', tag: 'alice' },
  { description: 'a user id is URI-encoded, so its braces cannot end the tag early', key: `gw:rv:{${encodeURIComponent('a}b')}}:nbf`, tag: 'a%7Db' },
];

for (const row of tags) {
  test(`hashTag: ${row.description}`, () => {
    assert.equal(hashTag(row.key), row.tag);
  });
}

const groups: { description: string; keys: string[]; shared: boolean }[] = [
  { description: 'no keys', keys: [], shared: true },
  { description: 'one key', keys: ['gw:a'], shared: true },
  { description: "one user's revocation keys", keys: ['gw:rv:{alice}:jti:1', 'gw:rv:{alice}:nbf', 'gw:rv:{alice}:fam:f', 'gw:rv:{alice}:session:f'], shared: true },
  { description: 'two users', keys: ['gw:rv:{alice}:nbf', 'gw:rv:{bob}:nbf'], shared: false },
  { description: 'a cache entry and its tag generations', keys: ['gw:c:e:r:x', 'gw:c:t:all'], shared: false },
  { description: 'the same key twice', keys: ['gw:c:t:all', 'gw:c:t:all'], shared: true },
];

for (const row of groups) {
  test(`shareHashTag: ${row.description}`, () => {
    assert.equal(shareHashTag(row.keys), row.shared);
  });
}
