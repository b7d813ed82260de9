import { test } from 'node:test';
import assert from 'node:assert/strict';
import { previewAllowed, sniffTypes } from './preview-check.ts';

const bytes = (text: string) => Uint8Array.from([...text].map((c) => c.charCodeAt(0)));
const PDF = bytes('%PDF-1.7\n');
const PNG = bytes('\x89PNG\r\n\x1a\n\0\0\0\rIHDR');
const EXE = bytes('MZ\x90\0\x03\0\0\0');

test('a file previews only when its declared type, extension and first bytes agree', () => {
  assert.equal(previewAllowed('report.pdf', 'application/pdf', PDF), true);
  assert.equal(previewAllowed('photo.PNG', 'image/png', PNG), true);
  assert.equal(previewAllowed('invoice.exe', 'application/pdf', EXE), false, 'an .exe declared as a PDF');
  assert.equal(previewAllowed('invoice.exe', 'application/pdf', PDF), false, 'PDF bytes under an .exe name');
  assert.equal(previewAllowed('invoice.pdf', 'application/pdf', EXE), false, 'an executable named and declared as a PDF');
  assert.equal(previewAllowed('report.pdf\u200b\u3000\u3000.exe', 'application/pdf', PDF), false, 'the final extension counts, padding or not');
  assert.equal(previewAllowed('photo.png', 'image/jpeg', PNG), false);
  assert.equal(previewAllowed('drawing.svg', 'image/svg+xml', bytes('<svg')), false, 'SVG is not previewed');
});

test('magic numbers of the previewed types are recognised', () => {
  assert.deepEqual(sniffTypes(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0)), ['image/jpeg']);
  assert.deepEqual(sniffTypes(bytes('GIF89a')), ['image/gif']);
  assert.deepEqual(sniffTypes(bytes('RIFF\0\0\0\0WEBPVP8 ')), ['image/webp']);
  assert.ok(sniffTypes(bytes('\0\0\0\x18ftypmp42')).includes('video/mp4'));
  assert.ok(sniffTypes(Uint8Array.of(0x1a, 0x45, 0xdf, 0xa3)).includes('video/webm'));
  assert.deepEqual(sniffTypes(EXE), []);
});
