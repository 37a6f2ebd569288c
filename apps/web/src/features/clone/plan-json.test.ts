import { describe, expect, it } from 'vitest';
import { parseJsonWithPosition } from './plan-json.ts';

describe('parseJsonWithPosition', () => {
  it('parses valid JSON', () => {
    expect(parseJsonWithPosition('{"a": [1, -2.5e3, true, null, "x\\"y"]}')).toEqual({
      ok: true,
      value: { a: [1, -2500, true, null, 'x"y'] },
    });
  });
  it('says on which line and column a syntax error is', () => {
    expect(parseJsonWithPosition('{\n  "a": 1,\n  "b": \n}')).toMatchObject({
      ok: false,
      line: 4,
      column: 1,
    });
    expect(parseJsonWithPosition('{\n  "a": 1,\n}')).toMatchObject({ ok: false, line: 3, column: 1 });
    expect(parseJsonWithPosition('{"a": [1 2]}')).toMatchObject({ ok: false, line: 1, column: 10 });
    expect(parseJsonWithPosition('{"a": 1} x')).toMatchObject({ ok: false, line: 1, column: 10 });
  });
});
