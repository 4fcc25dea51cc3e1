import { describe, expect, it } from 'vitest';
import { linkColumns, orderColumns, paymentColumns, type Column } from '../../server/src/store/columns';
import { LINK_FIELDS, ORDER_FIELDS, PAYMENT_FIELDS } from '../../server/src/store/sqlite/positional-rows';

const columnsOf = (map: Record<string, Column>): string[] => Object.values(map).map((column) => column.column).sort();

describe('the hot tables read by position (SQLite)', () => {
  it('read every column of links, orders and payments, so a new column cannot be left behind', () => {
    expect([...LINK_FIELDS].sort()).toEqual(columnsOf(linkColumns));
    // The currency is always CNY and not read back.
    expect([...ORDER_FIELDS, 'currency'].sort()).toEqual(columnsOf(orderColumns));
    expect([...PAYMENT_FIELDS].sort()).toEqual(columnsOf(paymentColumns));
  });
});
