import { describe, expect, it } from 'vitest';
import { fromPreviewKey, previewKey, previewView } from './preview-answer.ts';

const utc = { cron: '30 3 * * *', timezone: 'UTC', times: ['2026-11-29T03:30:00.000Z'] };

describe('previewView', () => {
  it('shows the answer as current once it answers exactly what is typed', () => {
    expect(previewView(utc, { cron: ' 30 3 * * * ', timezone: 'UTC' }, false)).toEqual({
      times: utc.times,
      timeZone: 'UTC',
      current: true,
    });
  });

  it('keeps an older answer on the clock of its own zone, marked not current, while the zone changes', () => {
    // The operator picked Berlin; the answer on screen was worked out for UTC.
    expect(previewView(utc, { cron: '30 3 * * *', timezone: 'Europe/Berlin' }, true)).toEqual({
      times: utc.times,
      timeZone: 'UTC',
      current: false,
    });
  });

  it('is not current while the expression typed differs from the one answered, fetching or not', () => {
    expect(previewView(utc, { cron: '30 4 * * *', timezone: 'UTC' }, false).current).toBe(false);
  });

  it('is not current while a newer answer for the same input is on its way', () => {
    expect(previewView(utc, { cron: '30 3 * * *', timezone: 'UTC' }, true).current).toBe(false);
  });

  it('shows nothing without an answer or an expression', () => {
    expect(previewView(null, { cron: '30 3 * * *', timezone: 'UTC' }, true)).toEqual({
      times: [],
      timeZone: 'UTC',
      current: false,
    });
    expect(previewView(utc, { cron: '  ', timezone: 'UTC' }, false)).toEqual({
      times: [],
      timeZone: 'UTC',
      current: true,
    });
  });
});

describe('previewKey', () => {
  it('debounces the pair as one value and gives it back', () => {
    expect(previewKey(' 0 1 * * * ', 'Asia/Tokyo')).toBe(previewKey('0 1 * * *', 'Asia/Tokyo'));
    expect(fromPreviewKey(previewKey('0 1 * * *', 'Asia/Tokyo'))).toEqual({
      cron: '0 1 * * *',
      timezone: 'Asia/Tokyo',
    });
  });
});
