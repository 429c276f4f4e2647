import { describe, expect, it } from 'vitest';
import { ClickHouseError } from '@clickhouse/client';
import { classifyFailure, errorCode } from './failure-kind';

const ch = (code: string, message: string) => new ClickHouseError({ code, type: undefined, message });
const net = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:8123`), { code });

describe('classifyFailure', () => {
  it('retries network errors, timeouts and overload', () => {
    expect(classifyFailure(net('ECONNREFUSED'))).toBe('retry');
    expect(classifyFailure(net('ECONNRESET'))).toBe('retry');
    expect(classifyFailure(new Error('socket hang up'))).toBe('retry');
    expect(classifyFailure(new Error('Timeout error.'))).toBe('retry');
    expect(classifyFailure(ch('252', 'Too many parts (300). Merges are processing significantly slower than inserts'))).toBe('retry');
    expect(classifyFailure(ch('241', 'Memory limit (total) exceeded'))).toBe('retry');
    expect(classifyFailure(new Error('<html>502 Bad Gateway</html>'))).toBe('retry');
  });

  it('treats data ClickHouse cannot parse as poison, by code or by message alone', () => {
    expect(classifyFailure(ch('27', 'Cannot parse input: expected , before ...'))).toBe('poison');
    expect(classifyFailure(ch('117', "JSON object should start with '{'"))).toBe('poison');
    // Old servers give no code field, only text.
    expect(classifyFailure(new Error('Code: 41, e.displayText() = DB::Exception: Cannot read DateTime'))).toBe('poison');
    expect(classifyFailure(new Error('Cannot parse input: expected { (at row 503)'))).toBe('poison');
  });

  it('gives up at once on what retrying cannot fix', () => {
    expect(classifyFailure(ch('60', 'Unknown table expression identifier sluice.events'))).toBe('fatal');
    expect(classifyFailure(ch('516', 'default: Authentication failed'))).toBe('fatal');
    expect(classifyFailure('weird')).toBe('fatal');
  });

  it('reads the code from the field or the text', () => {
    expect(errorCode(ch('252', 'x'))).toBe(252);
    expect(errorCode(new Error('Code: 210. DB::NetException'))).toBe(210);
    expect(errorCode(net('ECONNRESET'))).toBeUndefined();
  });
});
