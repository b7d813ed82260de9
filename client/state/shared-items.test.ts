import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeSharedItems, sharedItemsFromForm } from './shared-items.ts';

function form(fields: Record<string, string | File[]>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') data.append(name, value);
    else for (const file of value) data.append(name, file);
  }
  return data;
}

test('title, text and url become one text, the url only once', () => {
  assert.equal(sharedItemsFromForm(form({ title: 'Plans', text: 'See https://a.example/x', url: 'https://a.example/x' })).text, 'Plans\nSee https://a.example/x');
  assert.equal(sharedItemsFromForm(form({ title: 'Plans', text: '', url: 'https://a.example/x' })).text, 'Plans\nhttps://a.example/x');
  assert.equal(sharedItemsFromForm(form({ title: ' ', text: '', url: '' })).text, undefined);
});

test('files are kept, and an empty file field (no file chosen) is not one', () => {
  const file = new File(['bytes'], 'a.bin');
  const items = sharedItemsFromForm(form({ files: [file, new File([], '')] }));
  assert.deepEqual(items.files.map((f) => f.name), ['a.bin']);
  assert.equal(items.text, undefined);
});

test('the items are counted in words', () => {
  const file = new File(['x'], 'x');
  assert.equal(describeSharedItems({ text: 'hi', files: [file] }), '1 text and 1 file');
  assert.equal(describeSharedItems({ text: undefined, files: [file, file] }), '2 files');
  assert.equal(describeSharedItems({ text: 'hi', files: [] }), '1 text');
});
