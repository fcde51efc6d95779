import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveRendererFile } from './renderer-files.ts';

describe('resolveRendererFile', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ops-desktop-renderer-'));
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
  fs.writeFileSync(path.join(dir, 'assets', 'index-abc.js'), 'export {}');

  it('serves built assets as they are', () => {
    expect(resolveRendererFile(dir, '/system/assets/index-abc.js')).toEqual({
      file: path.join(dir, 'assets', 'index-abc.js'),
      contentType: 'text/javascript; charset=utf-8',
      isDocument: false,
    });
  });

  it('serves index.html for every console route, so a reload works on any page', () => {
    for (const route of ['/system', '/system/', '/system/login', '/system/ops/runs/42']) {
      expect(resolveRendererFile(dir, route)).toMatchObject({
        file: path.join(dir, 'index.html'),
        isDocument: true,
      });
    }
  });

  it('answers nothing for a missing asset, a path outside /system, or an escape attempt', () => {
    expect(resolveRendererFile(dir, '/system/assets/missing.js')).toBeNull();
    expect(resolveRendererFile(dir, '/etc/passwd')).toBeNull();
    expect(resolveRendererFile(dir, '/system/../../etc/passwd')).toBeNull();
    expect(resolveRendererFile(dir, '/system/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
  });
});
