import { Injectable, type PipeTransform } from '@nestjs/common';
import { NotFound } from './errors.js';

// Ids are INT columns (MySQL's signed int; SQLite's rowid holds them too).
const MAX_ID = 2 ** 31 - 1;

// An id in a path names an object or nothing: anything but a positive whole number in the
// canonical form (no sign, no leading zero, no exponent) that fits the column is a 404, on
// pages and in the API alike.
export function parseId(value: unknown): number {
  if (typeof value !== 'string' || !/^[1-9]\d{0,9}$/.test(value) || Number(value) > MAX_ID) {
    throw new NotFound();
  }
  return Number(value);
}

// @Param('id', ParseIdPipe) id: number
@Injectable()
export class ParseIdPipe implements PipeTransform<unknown, number> {
  transform(value: unknown): number {
    return parseId(value);
  }
}

// An optional id in a query string (a filter, a preselected choice): a bad one is ignored.
export function queryId(value: unknown): number | undefined {
  try {
    return parseId(value);
  } catch {
    return undefined;
  }
}
